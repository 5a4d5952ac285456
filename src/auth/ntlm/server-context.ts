/**
 * NTLM acceptor (MS-NLMP 3.2) for the emulated Hyper-V host: answers NEGOTIATE with a CHALLENGE that
 * carries target info and MsvAvTimestamp, then verifies the client's NTLMv2 AUTHENTICATE against a
 * password lookup, including KEY_EXCH, the MIC and (optionally) channel bindings.
 */
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { InvalidOptionError, NtlmError } from '../../errors.js';
import { NegotiateFlags, combineFlags, hasFlag } from './flags.js';
import { bytesEqual, isAllZero } from './bytes.js';
import {
  AvFlags,
  AvId,
  avFlags,
  avStringPair,
  decodeAuthenticate,
  decodeNegotiate,
  encodeChallenge,
  findAvPair,
  withZeroedMic,
  type AvPair,
  type NtlmVersion,
} from './messages.js';
import {
  NTLMV1_RESPONSE_LENGTH,
  computeMic,
  filetime,
  keyExchangeKey,
  ntProofStr,
  ntowfv2,
  parseNtlmv2Response,
  sessionBaseKey,
} from './ntlmv2.js';
import { rc4k } from './rc4.js';
import { createNtlmSession, type NtlmSession } from './session-security.js';
import { channelBindingsHash } from './channel-binding.js';

export interface NtlmServerOptions {
  /** Password for a user, or undefined when unknown. `domain` is '' when the client sent none. */
  readonly lookupPassword: (user: string, domain: string) => string | undefined;
  /** NetBIOS domain (MsvAvNbDomainName and TargetName); defaults to the computer name, as a workgroup host does. */
  readonly targetName?: string;
  /** NetBIOS computer name (MsvAvNbComputerName); default 'HYPERV'. */
  readonly computerName?: string;
  /** Application data ('tls-server-end-point:' ‖ hash); when set, a client's MsvAvChannelBindings must match. */
  readonly expectedChannelBindings?: Uint8Array;
  /** Reject clients that send no channel bindings (CbtHardeningLevel=Strict, MS-WSMV 2.2.4.34). */
  readonly requireChannelBindings?: boolean;
  readonly randomBytes?: (n: number) => Uint8Array;
  readonly now?: () => Date;
}

/** Why an AUTHENTICATE_MESSAGE was refused; stable values for the emulator's logs and tests. */
export type NtlmRejectReason =
  | 'malformed'
  | 'anonymous'
  | 'ntlmv1'
  | 'unknown-user'
  | 'bad-password'
  | 'mic-missing'
  | 'bad-mic'
  | 'cbt-missing'
  | 'cbt-mismatch'
  | 'out-of-order';

/** An acceptor refused the client; `reason` says which check failed. */
export class NtlmAuthenticationRejected extends NtlmError {
  readonly reason: NtlmRejectReason;
  constructor(reason: NtlmRejectReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

export interface NtlmAcceptResult {
  /** User and domain as passed to lookupPassword (a UPN is split into its parts). */
  readonly user: string;
  readonly domain: string;
  readonly session: NtlmSession;
}

/** Windows Server 2022 (10.0.20348), NTLMSSP revision 15. */
export const SERVER_VERSION: NtlmVersion = { major: 10, minor: 0, build: 20348, revision: 0x0f };

// Granted only when the client asks for them (3.2.5.1.1).
const MIRRORED_FLAGS = [
  NegotiateFlags.SIGN,
  NegotiateFlags.SEAL,
  NegotiateFlags.ALWAYS_SIGN,
  NegotiateFlags.KEY_EXCH,
  NegotiateFlags.NEGOTIATE_128,
  NegotiateFlags.NEGOTIATE_56,
  NegotiateFlags.REQUEST_TARGET,
] as const;

// Always set: we only speak NTLMv2 with extended session security.
const SERVER_FLAGS = combineFlags(
  NegotiateFlags.NTLM,
  NegotiateFlags.EXTENDED_SESSIONSECURITY,
  NegotiateFlags.TARGET_INFO,
  NegotiateFlags.TARGET_TYPE_SERVER,
  NegotiateFlags.VERSION,
);

function challengeFlags(requested: number): number {
  const mirrored = MIRRORED_FLAGS.filter((f) => hasFlag(requested, f));
  const charset = hasFlag(requested, NegotiateFlags.UNICODE) ? NegotiateFlags.UNICODE : NegotiateFlags.OEM;
  return combineFlags(SERVER_FLAGS, charset, ...mirrored);
}

/** lookupPassword arguments for the names on the wire: a UPN with no domain is split at its last '@'. */
function lookupName(user: string, domain: string): { user: string; domain: string } {
  const at = user.lastIndexOf('@');
  return domain === '' && at > 0 ? { user: user.slice(0, at), domain: user.slice(at + 1) } : { user, domain };
}

type ServerState = 'initial' | 'challenged' | 'complete';

export class NtlmServerContext {
  readonly #options: NtlmServerOptions;
  readonly #random: (n: number) => Uint8Array;
  readonly #expectedBindingsHash: Uint8Array | undefined;
  #state: ServerState = 'initial';
  #negotiate: Uint8Array = new Uint8Array(0);
  #challenge: Uint8Array = new Uint8Array(0);
  #serverChallenge: Uint8Array = new Uint8Array(0);
  #flags = 0;

  constructor(options: NtlmServerOptions) {
    if (options.requireChannelBindings && options.expectedChannelBindings === undefined) {
      throw new InvalidOptionError('requireChannelBindings needs expectedChannelBindings (the TLS certificate binding) to compare against.');
    }
    this.#options = options;
    this.#random = options.randomBytes ?? ((n) => new Uint8Array(nodeRandomBytes(n)));
    this.#expectedBindingsHash = options.expectedChannelBindings && channelBindingsHash(options.expectedChannelBindings);
  }

  /** CHALLENGE_MESSAGE (type 2) for the client's NEGOTIATE_MESSAGE (3.2.5.1.1). */
  createChallenge(negotiate: Uint8Array): Uint8Array {
    if (this.#state !== 'initial') throw new NtlmError('createChallenge() was already called on this NTLM context.');
    const request = decodeNegotiate(negotiate);
    if (!hasFlag(request.flags, NegotiateFlags.EXTENDED_SESSIONSECURITY)) {
      throw new NtlmAuthenticationRejected('ntlmv1', 'NTLM client did not request extended session security; NTLMv1-era session security is refused.');
    }
    const computer = this.#options.computerName ?? 'HYPERV';
    const domain = this.#options.targetName ?? computer;
    const targetInfo: AvPair[] = [
      avStringPair(AvId.NB_DOMAIN_NAME, domain),
      avStringPair(AvId.NB_COMPUTER_NAME, computer),
      avStringPair(AvId.DNS_DOMAIN_NAME, domain),
      avStringPair(AvId.DNS_COMPUTER_NAME, computer),
      // A timestamp makes clients send a MIC and Z(24) instead of an LMv2 response (3.1.5.1.2).
      { id: AvId.TIMESTAMP, value: filetime((this.#options.now ?? (() => new Date()))()) },
    ];
    this.#flags = challengeFlags(request.flags);
    this.#serverChallenge = this.#random(8);
    this.#negotiate = negotiate.slice();
    this.#challenge = encodeChallenge({
      flags: this.#flags,
      serverChallenge: this.#serverChallenge,
      targetName: domain,
      targetInfo,
      version: SERVER_VERSION,
    });
    this.#state = 'challenged';
    return this.#challenge;
  }

  /** Verify the AUTHENTICATE_MESSAGE (type 3) (3.2.5.1.2); throws NtlmAuthenticationRejected. */
  acceptAuthenticate(authenticate: Uint8Array): NtlmAcceptResult {
    if (this.#state !== 'challenged') {
      throw new NtlmAuthenticationRejected('out-of-order', this.#state === 'initial' ? 'AUTHENTICATE_MESSAGE received before any CHALLENGE was sent.' : 'This NTLM context has already accepted a client.');
    }
    // One attempt per challenge: a failed AUTHENTICATE cannot be retried against the same nonce.
    this.#state = 'complete';
    const auth = this.#decode(authenticate);

    if (auth.ntChallengeResponse.length === 0 && auth.user === '') throw new NtlmAuthenticationRejected('anonymous', 'Anonymous NTLM logon refused.');
    if (auth.ntChallengeResponse.length <= NTLMV1_RESPONSE_LENGTH) {
      throw new NtlmAuthenticationRejected('ntlmv1', `NTLMv1/LM response from ${auth.user} refused; only NTLMv2 is accepted.`);
    }
    const flags = (auth.flags & this.#flags) >>> 0;
    if (!hasFlag(flags, NegotiateFlags.EXTENDED_SESSIONSECURITY)) {
      throw new NtlmAuthenticationRejected('ntlmv1', 'AUTHENTICATE_MESSAGE dropped extended session security; refused.');
    }
    let response;
    try {
      response = parseNtlmv2Response(auth.ntChallengeResponse);
    } catch (cause) {
      throw new NtlmAuthenticationRejected('malformed', `Malformed NTLMv2 response: ${(cause as Error).message}`, { cause });
    }

    const name = lookupName(auth.user, auth.domain);
    const display = auth.domain === '' ? auth.user : `${auth.domain}\\${auth.user}`;
    const password = this.#options.lookupPassword(name.user, name.domain);
    if (password === undefined) throw new NtlmAuthenticationRejected('unknown-user', `Unknown NTLM user ${display}.`);

    // NTOWFv2 takes the names exactly as the client sent them (3.3.2).
    const responseKey = ntowfv2(password, auth.user, auth.domain);
    const proof = ntProofStr(responseKey, this.#serverChallenge, response.clientChallengeBlob);
    if (!bytesEqual(proof, response.ntProofStr)) throw new NtlmAuthenticationRejected('bad-password', `Wrong password for NTLM user ${display}.`);

    const kxKey = keyExchangeKey(sessionBaseKey(responseKey, proof));
    const exportedSessionKey = this.#exportedSessionKey(kxKey, auth.encryptedRandomSessionKey, flags);

    // The MsvAvFlags MIC bit is inside the NTProofStr-protected blob, so a MIC cannot be stripped unnoticed.
    if ((avFlags(response.avPairs) & AvFlags.MIC_PRESENT) === 0 || auth.mic === undefined) {
      throw new NtlmAuthenticationRejected('mic-missing', 'NTLM client sent no MIC although the CHALLENGE carried a timestamp.');
    }
    const mic = computeMic(exportedSessionKey, this.#negotiate, this.#challenge, withZeroedMic(authenticate));
    if (!bytesEqual(mic, auth.mic)) throw new NtlmAuthenticationRejected('bad-mic', 'NTLM MIC does not match: the handshake messages were altered.');

    this.#checkChannelBindings(findAvPair(response.avPairs, AvId.CHANNEL_BINDINGS)?.value);
    return { ...name, session: createNtlmSession(exportedSessionKey, flags, 'server') };
  }

  #decode(authenticate: Uint8Array): ReturnType<typeof decodeAuthenticate> {
    try {
      return decodeAuthenticate(authenticate);
    } catch (cause) {
      throw new NtlmAuthenticationRejected('malformed', `Malformed AUTHENTICATE_MESSAGE: ${(cause as Error).message}`, { cause });
    }
  }

  /** With KEY_EXCH the client's random key is RC4K-wrapped under KXKEY; without it KXKEY is exported (3.2.5.1.2). */
  #exportedSessionKey(kxKey: Uint8Array, encrypted: Uint8Array, flags: number): Uint8Array {
    if (!hasFlag(flags, NegotiateFlags.KEY_EXCH)) return kxKey;
    if (encrypted.length !== 16) {
      throw new NtlmAuthenticationRejected('malformed', `EncryptedRandomSessionKey must be 16 bytes with KEY_EXCH, got ${encrypted.length}.`);
    }
    return rc4k(kxKey, encrypted);
  }

  /** An all-zero MsvAvChannelBindings means "none" (2.2.2.1). */
  #checkChannelBindings(sent: Uint8Array | undefined): void {
    const expected = this.#expectedBindingsHash;
    if (expected === undefined) return;
    if (sent === undefined || isAllZero(sent)) {
      if (this.#options.requireChannelBindings) throw new NtlmAuthenticationRejected('cbt-missing', 'NTLM client sent no channel binding token but this server requires one (EPA).');
      return;
    }
    if (!bytesEqual(sent, expected)) {
      throw new NtlmAuthenticationRejected('cbt-mismatch', 'NTLM channel binding token does not match this TLS connection (a TLS-intercepting proxy, or the wrong certificate hash).');
    }
  }
}
