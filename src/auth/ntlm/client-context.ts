/**
 * NTLM initiator (MS-NLMP 3.1): NEGOTIATE -> (CHALLENGE) -> AUTHENTICATE, NTLMv2 only, with MIC,
 * KEY_EXCH and optional channel bindings. Sans-IO: callers move the tokens over HTTP.
 */
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { InvalidOptionError, NtlmError } from '../../errors.js';
import { CLIENT_NEGOTIATE_FLAGS, NegotiateFlags, describeFlags, hasFlag } from './flags.js';
import { concatBytes, isAllZero, uint32le, utf16le } from './bytes.js';
import {
  AvFlags,
  AvId,
  avFlags,
  decodeChallenge,
  encodeAuthenticate,
  encodeAvPairs,
  encodeNegotiate,
  findAvPair,
  withZeroedMic,
  type AvPair,
  type ChallengeMessage,
  type NtlmVersion,
} from './messages.js';
import {
  computeMic,
  filetime,
  keyExchangeKey,
  lmv2Response,
  ntProofStr,
  ntlmv2ClientChallenge,
  ntowfv2,
  sessionBaseKey,
} from './ntlmv2.js';
import { rc4k } from './rc4.js';
import { createNtlmSession, type NtlmSession } from './session-security.js';
import { channelBindingsHash } from './channel-binding.js';

export interface NtlmCredentials {
  readonly user: string;
  readonly password: string;
}

export interface NtlmClientOptions {
  /** RFC 5929 application data ('tls-server-end-point:' ‖ certificate hash); hashed into MsvAvChannelBindings. */
  readonly channelBindings?: Uint8Array;
  readonly workstation?: string;
  /** Service principal name for MsvAvTargetName, e.g. 'HTTP/host.example.com'; omitted when unset. */
  readonly targetSpn?: string;
  readonly randomBytes?: (n: number) => Uint8Array;
  /** Only used when the server's CHALLENGE carries no MsvAvTimestamp. */
  readonly now?: () => Date;
  /**
   * The session will seal messages (WinRM message encryption): a CHALLENGE without SIGN and SEAL is
   * refused before any AUTHENTICATE (and so any credential-derived response) is built.
   */
  readonly requireSealing?: boolean;
}

export type NtlmUserForm = 'domain\\user' | 'user@domain' | 'user';

export interface ParsedUser {
  /** The UserName field as sent. */
  readonly user: string;
  /** The DomainName field as sent ('' for UPN and bare user names). */
  readonly domain: string;
  readonly form: NtlmUserForm;
}

/**
 * Split a user name as typed. 'DOMAIN\user' sends both fields; a UPN goes whole into UserName with an
 * empty domain, as Windows SSPI does, so the server resolves it.
 */
export function parseNtlmUser(typed: string): ParsedUser {
  const slash = typed.indexOf('\\');
  if (slash >= 0) return { user: typed.slice(slash + 1), domain: typed.slice(0, slash), form: 'domain\\user' };
  if (typed.includes('@')) return { user: typed, domain: '', form: 'user@domain' };
  return { user: typed, domain: '', form: 'user' };
}

/** The VERSION we advertise: Windows 10 / Server 2016+ (10.0), NTLMSSP revision 15 (2.2.2.10). */
export const CLIENT_VERSION: NtlmVersion = { major: 10, minor: 0, build: 20348, revision: 0x0f };

const NONE = new Uint8Array(0);

export interface AuthenticateInput {
  /** NEGOTIATE_MESSAGE exactly as sent (covered by the MIC). */
  readonly negotiate: Uint8Array;
  /** CHALLENGE_MESSAGE exactly as received. */
  readonly challenge: Uint8Array;
  readonly user: string;
  readonly domain: string;
  readonly password: string;
  readonly workstation: string;
  /** NegotiateFlags for the AUTHENTICATE_MESSAGE (and the session). */
  readonly flags: number;
  readonly clientChallenge: Uint8Array;
  /** Random session key; used only with KEY_EXCH, otherwise the key exchange key is exported. */
  readonly exportedSessionKey: Uint8Array;
  /** FILETIME used when the challenge has no MsvAvTimestamp. */
  readonly time: Uint8Array;
  /** MD5 of the gss_channel_bindings_struct, for MsvAvChannelBindings. */
  readonly channelBindingsHash?: Uint8Array;
  readonly targetSpn?: string;
  readonly version?: NtlmVersion;
}

export interface AuthenticateResult {
  readonly message: Uint8Array;
  readonly exportedSessionKey: Uint8Array;
  readonly flags: number;
}

/**
 * The client's AV pairs (3.1.5.1.2): the server's list, plus MsvAvFlags with the MIC bit when the
 * server sent a timestamp, plus channel bindings and target name when we have them.
 */
function clientAvPairs(challenge: ChallengeMessage, input: AuthenticateInput, withMic: boolean): AvPair[] {
  const pairs = [...challenge.targetInfo];
  const upsert = (id: number, value: Uint8Array): void => {
    const at = pairs.findIndex((p) => p.id === id);
    if (at >= 0) pairs[at] = { id, value };
    else pairs.push({ id, value });
  };
  if (withMic) upsert(AvId.FLAGS, uint32le(avFlags(challenge.targetInfo) | AvFlags.MIC_PRESENT));
  if (input.channelBindingsHash !== undefined) upsert(AvId.CHANNEL_BINDINGS, input.channelBindingsHash);
  if (input.targetSpn !== undefined) upsert(AvId.TARGET_NAME, utf16le(input.targetSpn));
  return pairs;
}

/**
 * Build the AUTHENTICATE_MESSAGE for a received CHALLENGE (3.1.5.1.2, NTLMv2 per 3.3.2). Pure: all
 * randomness and time come in through `input`, so the spec's examples can be reproduced exactly.
 */
export function computeAuthenticate(input: AuthenticateInput): AuthenticateResult {
  const challenge = decodeChallenge(input.challenge);
  const timestamp = findAvPair(challenge.targetInfo, AvId.TIMESTAMP);
  const withMic = timestamp !== undefined;

  const responseKey = ntowfv2(input.password, input.user, input.domain);
  const temp = ntlmv2ClientChallenge(timestamp?.value ?? input.time, input.clientChallenge, encodeAvPairs(clientAvPairs(challenge, input, withMic)));
  const proof = ntProofStr(responseKey, challenge.serverChallenge, temp);
  const ntResponse = concatBytes(proof, temp);
  // With a server timestamp the client "SHOULD send Z(24)" instead of an LMv2 response (3.1.5.1.2).
  const lmResponse = withMic ? new Uint8Array(24) : lmv2Response(responseKey, challenge.serverChallenge, input.clientChallenge);

  const kxKey = keyExchangeKey(sessionBaseKey(responseKey, proof));
  const keyExchange = hasFlag(input.flags, NegotiateFlags.KEY_EXCH);
  const exportedSessionKey = keyExchange ? input.exportedSessionKey : kxKey;
  const encryptedRandomSessionKey = keyExchange ? rc4k(kxKey, exportedSessionKey) : NONE;

  const fields = {
    flags: input.flags,
    lmChallengeResponse: lmResponse,
    ntChallengeResponse: ntResponse,
    domain: input.domain,
    user: input.user,
    workstation: input.workstation,
    encryptedRandomSessionKey,
    ...(input.version ? { version: input.version } : {}),
  };
  if (!withMic) return { message: encodeAuthenticate(fields), exportedSessionKey, flags: input.flags };

  const unsigned = encodeAuthenticate({ ...fields, mic: new Uint8Array(16) });
  const mic = computeMic(exportedSessionKey, input.negotiate, input.challenge, withZeroedMic(unsigned));
  return { message: encodeAuthenticate({ ...fields, mic }), exportedSessionKey, flags: input.flags };
}

/** Flags the server must grant for NTLMv2 with usable session security; anything less means v1/LM-era crypto. */
const REQUIRED_CHALLENGE_FLAGS: readonly (readonly [number, string])[] = [
  [NegotiateFlags.EXTENDED_SESSIONSECURITY, 'extended session security'],
  [NegotiateFlags.TARGET_INFO, 'target info (needed for NTLMv2)'],
  [NegotiateFlags.NEGOTIATE_128, '128-bit session keys'],
];

// Flags we never carry into AUTHENTICATE: LM_KEY is superseded by ESS, OEM by UNICODE.
const DROPPED_FLAGS = NegotiateFlags.LM_KEY | NegotiateFlags.OEM_DOMAIN_SUPPLIED | NegotiateFlags.OEM_WORKSTATION_SUPPLIED;

/** What message encryption needs on top (MS-NLMP 3.4.3 sealing, 3.4.4 signing). */
const SEALING_FLAGS: readonly (readonly [number, string])[] = [
  [NegotiateFlags.SIGN, 'signing (NTLMSSP_NEGOTIATE_SIGN)'],
  [NegotiateFlags.SEAL, 'sealing (NTLMSSP_NEGOTIATE_SEAL)'],
];

/** Refuse a CHALLENGE that cannot carry NTLMv2 (3.1.5.1.2 STATUS_LOGON_FAILURE rule), or sealing when it is required. */
function checkChallenge(challenge: ChallengeMessage, requireSealing: boolean): void {
  if (requireSealing) {
    for (const [flag, what] of SEALING_FLAGS) {
      if (!hasFlag(challenge.flags, flag)) {
        throw new NtlmError(
          `The server's NTLM CHALLENGE does not offer ${what} (flags: ${describeFlags(challenge.flags).join('|')}), which message encryption needs; no credentials were sent. Use HTTPS, or check the server's NTLM policy.`,
        );
      }
    }
  }
  for (const [flag, what] of REQUIRED_CHALLENGE_FLAGS) {
    if (!hasFlag(challenge.flags, flag)) {
      throw new NtlmError(`NTLM server did not offer ${what} (flags: ${describeFlags(challenge.flags).join('|')}); refusing NTLMv1/LM.`);
    }
  }
  for (const id of [AvId.NB_COMPUTER_NAME, AvId.NB_DOMAIN_NAME]) {
    if (findAvPair(challenge.targetInfo, id) === undefined) {
      throw new NtlmError('NTLM CHALLENGE lacks MsvAvNbComputerName/MsvAvNbDomainName; cannot compute an NTLMv2 response.');
    }
  }
}

function authenticateFlags(challengeFlags: number): number {
  let flags = (challengeFlags & ~DROPPED_FLAGS) >>> 0;
  if (hasFlag(flags, NegotiateFlags.UNICODE)) flags = (flags & ~NegotiateFlags.OEM) >>> 0;
  return flags;
}

type ClientState = 'initial' | 'negotiated' | 'complete';

export class NtlmClientContext {
  readonly userForm: NtlmUserForm;
  readonly #user: ParsedUser;
  readonly #password: string;
  readonly #options: NtlmClientOptions;
  readonly #random: (n: number) => Uint8Array;
  #state: ClientState = 'initial';
  #negotiate: Uint8Array = NONE;
  #session: NtlmSession | undefined;

  constructor(creds: NtlmCredentials, options: NtlmClientOptions = {}) {
    this.#user = parseNtlmUser(creds.user);
    if (this.#user.user === '') throw new InvalidOptionError('NTLM needs a user name; anonymous NTLM is not supported.');
    if (options.channelBindings !== undefined && options.channelBindings.length === 0) {
      throw new InvalidOptionError('channelBindings is empty; omit it instead of passing no bytes.');
    }
    this.userForm = this.#user.form;
    this.#password = creds.password;
    this.#options = options;
    this.#random = options.randomBytes ?? ((n) => new Uint8Array(nodeRandomBytes(n)));
  }

  /** NEGOTIATE_MESSAGE (type 1). */
  createNegotiate(): Uint8Array {
    if (this.#state !== 'initial') throw new NtlmError('createNegotiate() was already called on this NTLM context.');
    this.#negotiate = encodeNegotiate({ flags: CLIENT_NEGOTIATE_FLAGS, version: CLIENT_VERSION });
    this.#state = 'negotiated';
    return this.#negotiate;
  }

  /**
   * AUTHENTICATE_MESSAGE (type 3) answering the server's CHALLENGE_MESSAGE. `channelBindings`
   * (RFC 5929 application data) may be given here rather than in the constructor: over HTTPS the
   * certificate is only known once the connection carrying NEGOTIATE exists.
   */
  createAuthenticate(challenge: Uint8Array, channelBindings?: Uint8Array): Uint8Array {
    if (this.#state !== 'negotiated') {
      throw new NtlmError(this.#state === 'initial' ? 'createNegotiate() must come before createAuthenticate().' : 'This NTLM context is already complete.');
    }
    const parsed = decodeChallenge(challenge);
    checkChallenge(parsed, this.#options.requireSealing === true);
    const flags = authenticateFlags(parsed.flags);
    const bindings = channelBindings ?? this.#options.channelBindings;
    const result = computeAuthenticate({
      negotiate: this.#negotiate,
      challenge,
      user: this.#user.user,
      domain: this.#user.domain,
      password: this.#password,
      workstation: this.#options.workstation ?? '',
      flags,
      clientChallenge: this.#random(8),
      exportedSessionKey: this.#random(16),
      time: filetime((this.#options.now ?? (() => new Date()))()),
      ...(bindings ? { channelBindingsHash: channelBindingsHash(bindings) } : {}),
      ...(this.#options.targetSpn !== undefined ? { targetSpn: this.#options.targetSpn } : {}),
      version: CLIENT_VERSION,
    });
    if (isAllZero(result.exportedSessionKey)) throw new NtlmError('Refusing an all-zero NTLM session key (broken random source).');
    this.#session = createNtlmSession(result.exportedSessionKey, result.flags, 'client');
    this.#state = 'complete';
    return result.message;
  }

  get complete(): boolean {
    return this.#state === 'complete';
  }

  /** Session security for the authenticated connection. */
  get session(): NtlmSession {
    if (this.#session === undefined) throw new NtlmError('NTLM session is not available before createAuthenticate().');
    return this.#session;
  }
}
