/**
 * GSS-API krb5 security contexts (RFC 4121): the initiator (our client) and the acceptor (the
 * emulated host, tests). Mutual authentication is mandatory here: the initiator is established
 * only after the AP-REP proves the service knew its key. After that both sides protect messages
 * with the acceptor's subkey (RFC 4121 2; MS-KILE 3.1.1.2).
 */
import { randomInt, timingSafeEqual } from 'node:crypto';
import { enctypeProfile } from './crypto/index.js';
import { KerberosError, KerberosIntegrityError } from './errors.js';
import { GSS_CHECKSUM_TYPE, GssFlags, TokenId, channelBindingHash, decodeGssChecksum, encodeGssChecksum, frameInitialToken, unframeInitialToken } from './gss-framing.js';
import { GssMessageProtection } from './gss-wrap.js';
import { makeKrbCred, openKrbCred } from './krb-cred.js';
import type { ReplayCache } from './replay-cache.js';
import { KrbErrorCode, kdcErrorFrom } from './kdc-errors.js';
import {
  ApOptions,
  kerberosTimeParts,
  KeyUsage,
  decodeApRep,
  decodeApReq,
  decodeAuthenticator,
  decodeEncApRepPart,
  decodeEncTicketPart,
  decodeKrbError,
  encodeApRep,
  encodeApReq,
  encodeAuthenticator,
  encodeEncApRepPart,
  encodeKrbError,
  type Authenticator,
  type EncTicketPart,
} from './messages.js';
import { principalToString, type EncryptionKey, type KerberosCredential, type KeytabEntry, type Principal } from './types.js';

/** What we ask for: mutual, sequence and replay detection, confidentiality, integrity (`3e000000`). */
export const DEFAULT_INITIATOR_FLAGS = GssFlags.MUTUAL | GssFlags.REPLAY | GssFlags.SEQUENCE | GssFlags.CONF | GssFlags.INTEG;

export interface KerberosInitiatorOptions {
  /** Service ticket for the target (from KdcClient.getServiceTicket or a credential cache). */
  readonly credential: KerberosCredential;
  /**
   * Channel-binding application data for HTTPS: "tls-server-end-point:" ‖ certificate hash
   * (see ntlm/channel-binding.ts channelBindingApplicationData). Absent: 16 zero bytes.
   */
  readonly channelBindings?: Uint8Array;
  /**
   * A forwarded TGT to delegate (KdcClient.getForwardedTgt): sent as a KRB-CRED in the checksum's
   * Deleg field with GSS_C_DELEG_FLAG (RFC 4121 4.1.1), sealed with the service ticket's session key.
   */
  readonly delegate?: KerberosCredential;
  /** Clock source (tests). */
  readonly now?: () => Date;
}

/** 31-bit random start: some peers mishandle sequence numbers with the top bit set. */
function initialSequence(): number {
  return randomInt(0, 0x7fffffff);
}

/** Shared per-message API of an established context. */
abstract class EstablishedContext {
  protected protection?: GssMessageProtection;

  get established(): boolean {
    return this.protection !== undefined;
  }

  protected get messages(): GssMessageProtection {
    if (this.protection === undefined) throw new KerberosError('The Kerberos security context is not established yet.');
    return this.protection;
  }

  /** RFC 4121 Wrap token (sealed unless `confidential: false`). */
  wrap(plaintext: Uint8Array, options?: { confidential?: boolean; rrc?: number }): Buffer {
    return this.messages.wrap(plaintext, options);
  }

  unwrap(token: Uint8Array): Buffer {
    return this.messages.unwrap(token);
  }

  /** WinRM message encryption: sealed token split into header (60 bytes for AES-SHA1) and data. */
  wrapWinrm(plaintext: Uint8Array): { header: Buffer; data: Buffer } {
    return this.messages.wrapWinrm(plaintext);
  }

  unwrapWinrm(header: Uint8Array, data: Uint8Array): Buffer {
    return this.messages.unwrapWinrm(header, data);
  }

  getMic(message: Uint8Array): Buffer {
    return this.messages.getMic(message);
  }

  /**
   * The session-security shape the NTLM session already has (ntlm/session-security.ts NtlmSession),
   * so message encryption can take either: `signature` is the WinRM header part (Length-Field bytes).
   */
  seal(plaintext: Uint8Array): { signature: Uint8Array; sealed: Uint8Array } {
    const { header, data } = this.wrapWinrm(plaintext);
    return { signature: header, sealed: data };
  }

  unseal(sealed: Uint8Array, signature: Uint8Array): Uint8Array {
    return this.unwrapWinrm(signature, sealed);
  }

  sign(message: Uint8Array): Uint8Array {
    return this.getMic(message);
  }

  verify(message: Uint8Array, signature: Uint8Array): void {
    this.verifyMic(message, signature);
  }

  verifyMic(message: Uint8Array, token: Uint8Array): void {
    this.messages.verifyMic(message, token);
  }
}

export class KerberosInitiator extends EstablishedContext {
  readonly #credential: KerberosCredential;
  readonly #bnd: Buffer;
  readonly #delegate: KerberosCredential | undefined;
  readonly #now: () => Date;
  #sent?: { ctime: Date; cusec: number; subkey: EncryptionKey; seq: number };

  constructor(options: KerberosInitiatorOptions) {
    super();
    this.#credential = options.credential;
    this.#bnd = channelBindingHash(options.channelBindings);
    this.#delegate = options.delegate;
    this.#now = options.now ?? (() => new Date());
  }

  /** The service principal this context authenticates to. */
  get target(): Principal {
    return this.#credential.server;
  }

  /** First token: the framed AP-REQ (TOK_ID 01 00) to send as the Kerberos/Negotiate token. */
  initialToken(): Buffer {
    if (this.#sent !== undefined) throw new KerberosError('initialToken() was already called for this context; create a new KerberosInitiator per connection.');
    if (this.#credential.endTime.getTime() <= this.#now().getTime()) {
      throw new KerberosError(`The service ticket for ${principalToString(this.#credential.server)} expired at ${this.#credential.endTime.toISOString()}; get a new one.`);
    }
    const key = this.#credential.key;
    const profile = enctypeProfile(key.etype);
    const subkey = profile.randomKey();
    const seq = initialSequence();
    const { time: ctime, usec: cusec } = kerberosTimeParts(this.#now());
    const authenticator: Authenticator = {
      client: this.#credential.client,
      cksum: { cksumtype: GSS_CHECKSUM_TYPE, checksum: encodeGssChecksum(this.#bnd, DEFAULT_INITIATOR_FLAGS, this.#delegate === undefined ? undefined : makeKrbCred(this.#delegate, key, this.#now())) },
      cusec,
      ctime,
      subkey,
      seqNumber: seq,
    };
    const apReq = encodeApReq({
      apOptions: ApOptions.MUTUAL_REQUIRED,
      ticket: this.#credential.ticket,
      authenticator: { etype: key.etype, cipher: profile.encrypt(key, KeyUsage.AP_REQ_AUTH, encodeAuthenticator(authenticator)) },
    });
    this.#sent = { ctime, cusec, subkey, seq };
    return frameInitialToken(TokenId.AP_REQ, apReq);
  }

  /**
   * Verify the acceptor's reply (framed AP-REP, TOK_ID 02 00). A KRB-ERROR token (03 00) becomes a
   * KdcError with the acceptor's code. Only after this returns is the context established.
   */
  acceptReply(token: Uint8Array): void {
    if (this.#sent === undefined) throw new KerberosError('acceptReply() before initialToken().');
    if (this.established) throw new KerberosError('The Kerberos context is already established.');
    const { tokenId, message } = unframeInitialToken(token);
    const spn = principalToString(this.#credential.server);
    if (tokenId === TokenId.KRB_ERROR) {
      throw kdcErrorFrom(decodeKrbError(message), { client: principalToString(this.#credential.client), server: spn, realm: this.#credential.server.realm }, this.#now());
    }
    if (tokenId !== TokenId.AP_REP) throw new KerberosError(`Expected an AP-REP token from ${spn}, got TOK_ID 0x${tokenId.toString(16)}.`);
    const key = this.#credential.key;
    const encPart = decodeApRep(message).encPart;
    let part;
    try {
      part = decodeEncApRepPart(enctypeProfile(key.etype).decrypt(key, KeyUsage.AP_REP_ENCPART, encPart.cipher));
    } catch (err) {
      if (err instanceof KerberosIntegrityError) throw new KerberosIntegrityError(`Mutual authentication failed: the server's AP-REP for ${spn} does not decrypt with the ticket's session key (not the real service?).`);
      throw err;
    }
    if (part.ctime.getTime() !== this.#sent.ctime.getTime() || part.cusec !== this.#sent.cusec) {
      throw new KerberosError(`Mutual authentication failed: the AP-REP from ${spn} does not echo our authenticator's time.`);
    }
    const acceptorSubkey = part.subkey !== undefined;
    const contextKey = part.subkey ?? this.#sent.subkey;
    this.protection = new GssMessageProtection({ key: contextKey, isAcceptor: false, acceptorSubkey }, this.#sent.seq, part.seqNumber ?? 0);
  }
}

export interface KerberosAcceptorOptions {
  /** The service's long-term keys (keytab entries or InMemoryKdc.addService()). */
  readonly keytab: readonly KeytabEntry[];
  /** Expected channel-binding application data; when set, the initiator's Bnd must match. */
  readonly channelBindings?: Uint8Array;
  readonly maxSkewSeconds?: number;
  /** Share one per service to refuse replayed AP-REQs across connections; absent: no replay check. */
  readonly replayCache?: ReplayCache;
  readonly now?: () => Date;
}

/** What the acceptor learned about the initiator once the AP-REQ checked out. */
export interface AcceptedContext {
  readonly client: Principal;
  readonly flags: number;
  readonly ticket: EncTicketPart;
  /** The channel-binding hash the initiator sent (16 zero bytes: none), for CbtHardeningLevel policies. */
  readonly bnd: Buffer;
  /** With GSS_C_DELEG_FLAG: the client's forwarded TGT from the KRB-CRED, checked (krbtgt, same client). */
  readonly delegated?: KerberosCredential;
}

export class KerberosAcceptor extends EstablishedContext {
  readonly #options: KerberosAcceptorOptions;
  #accepted?: AcceptedContext;

  constructor(options: KerberosAcceptorOptions) {
    super();
    this.#options = options;
  }

  get accepted(): AcceptedContext | undefined {
    return this.#accepted;
  }

  #now(): Date {
    return this.#options.now?.() ?? new Date();
  }

  /** Check a framed AP-REQ; returns the framed AP-REP. Throws on any failure (see errorToken()). */
  accept(token: Uint8Array): Buffer {
    if (this.#accepted !== undefined) throw new KerberosError('This acceptor context already accepted an AP-REQ.');
    const { tokenId, message } = unframeInitialToken(token);
    if (tokenId !== TokenId.AP_REQ) throw new KerberosError(`Expected an AP-REQ token, got TOK_ID 0x${tokenId.toString(16)}.`);
    const apReq = decodeApReq(message);
    const t = apReq.decodedTicket;
    const entry = this.#options.keytab.find(
      (e) => e.key.etype === t.encPart.etype && (t.encPart.kvno === undefined || e.kvno === t.encPart.kvno) && e.principal.realm.toUpperCase() === t.sname.realm.toUpperCase() && e.principal.components.join('/').toLowerCase() === t.sname.components.join('/').toLowerCase(),
    );
    if (entry === undefined) throw new KerberosError(`No key for ${principalToString(t.sname)} (enctype ${t.encPart.etype}, kvno ${t.encPart.kvno ?? '-'}) in the acceptor's keytab.`);
    const ticket = decodeEncTicketPart(enctypeProfile(entry.key.etype).decrypt(entry.key, KeyUsage.KDC_REP_TICKET, t.encPart.cipher));
    const session = ticket.key;
    const auth = decodeAuthenticator(enctypeProfile(session.etype).decrypt(session, KeyUsage.AP_REQ_AUTH, apReq.authenticator.cipher));
    const now = this.#now().getTime();
    const skew = (this.#options.maxSkewSeconds ?? 300) * 1000;
    if (principalToString(auth.client) !== principalToString(ticket.client)) throw new KerberosError('Authenticator names a different client than the ticket.');
    if (Math.abs(auth.ctime.getTime() - now) > skew) throw new KerberosError('Authenticator time is outside the allowed clock skew.');
    if (ticket.endTime.getTime() + skew < now) throw new KerberosError('Ticket has expired.');
    if (ticket.startTime !== undefined && ticket.startTime.getTime() - skew > now) throw new KerberosError('Ticket is not yet valid.');
    if (this.#options.replayCache !== undefined && !this.#options.replayCache.checkAndRecord(apReq.authenticator.cipher, auth.ctime.getTime() + skew, now)) {
      throw new KerberosError('AP-REQ replayed: this authenticator was already used.');
    }
    if (auth.cksum === undefined || auth.cksum.cksumtype !== GSS_CHECKSUM_TYPE) throw new KerberosError('AP-REQ authenticator lacks the GSS checksum (type 0x8003).');
    const { bnd, flags, deleg } = decodeGssChecksum(auth.cksum.checksum);
    if (this.#options.channelBindings !== undefined && !timingSafeEqual(bnd, channelBindingHash(this.#options.channelBindings))) {
      throw new KerberosError('Channel bindings do not match: the client saw a different TLS certificate (man in the middle?).');
    }
    if ((apReq.apOptions & ApOptions.MUTUAL_REQUIRED) === 0 || (flags & GssFlags.MUTUAL) === 0) throw new KerberosError('The initiator did not request mutual authentication.');
    const delegated = deleg === undefined ? undefined : delegatedTgt(deleg, [session, ...(auth.subkey === undefined ? [] : [auth.subkey])], ticket.client);
    const subkey = enctypeProfile(session.etype).randomKey();
    const seq = initialSequence();
    const rep = encodeApRep({
      etype: session.etype,
      cipher: enctypeProfile(session.etype).encrypt(session, KeyUsage.AP_REP_ENCPART, encodeEncApRepPart({ ctime: auth.ctime, cusec: auth.cusec, subkey, seqNumber: seq })),
    });
    this.protection = new GssMessageProtection({ key: subkey, isAcceptor: true, acceptorSubkey: true }, seq, auth.seqNumber ?? 0);
    this.#accepted = { client: ticket.client, flags, ticket, bnd: Buffer.from(bnd), ...(delegated === undefined ? {} : { delegated }) };
    return frameInitialToken(TokenId.AP_REP, rep);
  }

  /** A framed KRB-ERROR token (03 00) for the initiator, e.g. after accept() failed. */
  errorToken(code: number = KrbErrorCode.KRB_AP_ERR_MODIFIED, server?: Principal): Buffer {
    const { time, usec } = kerberosTimeParts(this.#now());
    const sname = server ?? this.#options.keytab[0]?.principal ?? { nameType: 0, components: [], realm: '' };
    return frameInitialToken(TokenId.KRB_ERROR, encodeKrbError({ stime: time, susec: usec, errorCode: code, server: sname }));
  }
}

/**
 * The delegated credential of an AP-REQ: one TGT (krbtgt/...) for the authenticated client. The
 * session key is tried first (Windows, and us), then the authenticator subkey (as MIT's acceptor does).
 */
function delegatedTgt(deleg: Uint8Array, keys: readonly EncryptionKey[], client: Principal): KerberosCredential {
  const creds = openKrbCred(deleg, keys);
  const tgt = creds[0];
  if (creds.length !== 1 || tgt === undefined) throw new KerberosError(`The delegated KRB-CRED carries ${creds.length} tickets; one forwarded TGT expected.`);
  if (tgt.server.components[0] !== 'krbtgt') throw new KerberosError(`The delegated ticket is for ${principalToString(tgt.server)}, not a ticket-granting ticket (krbtgt/...).`);
  if (principalToString(tgt.client).toLowerCase() !== principalToString(client).toLowerCase()) {
    throw new KerberosError(`The delegated TGT is for ${principalToString(tgt.client)}, but the AP-REQ authenticated ${principalToString(client)}.`);
  }
  return tgt;
}
