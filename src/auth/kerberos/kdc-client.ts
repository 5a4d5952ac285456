/**
 * Client side of the KDC exchanges (RFC 4120 3.1, 3.3): AS exchange with PA-ENC-TIMESTAMP
 * pre-authentication keyed from the salt and iterations the KDC announces in PA-ETYPE-INFO2, and
 * the TGS exchange that turns a TGT into a service ticket. Replies are checked (nonce, names,
 * integrity) before anything in them is used.
 */
import { randomInt } from 'node:crypto';
import { DEFAULT_ENCTYPES, enctypeProfile, isSupportedEnctype } from './crypto/index.js';
import { KerberosError, KerberosIntegrityError } from './errors.js';
import { KdcError, KrbErrorCode, kdcErrorFrom } from './kdc-errors.js';
import { sendToKdc, type KdcCallOptions, type KdcTransportOptions } from './kdc-transport.js';
import {
  KdcOptions,
  kerberosTimeParts,
  KeyUsage,
  PaDataType,
  decodeEncKdcRepPart,
  decodeEtypeInfo,
  decodeEtypeInfo2,
  decodeKdcAnswer,
  decodeMethodData,
  encodeApReq,
  encodeAuthenticator,
  encodeEncryptedData,
  encodeKdcReq,
  encodeKdcReqBody,
  encodePaEncTsEnc,
  encodePaPacRequest,
  type DecodedKdcRep,
  type EncKdcRepPart,
  type EtypeInfo2Entry,
  type KdcReqBody,
  type PaData,
} from './messages.js';
import { NameType, principalToString, type EncryptionKey, type KerberosCredential, type Principal } from './types.js';

export interface KdcClientOptions extends KdcTransportOptions {
  /** Enctypes to offer, in preference order. Default: 18, 17, 20, 19, 23. */
  readonly enctypes?: readonly number[];
  /** Requested ticket lifetime. Default 10 hours (AD's default maximum). */
  readonly ticketLifetimeSeconds?: number;
  /** Ask for forwardable TGTs (AS-REQ kdc-options forwardable), needed to delegate later. Default false. */
  readonly forwardable?: boolean;
  /** Clock source (tests). */
  readonly now?: () => Date;
}

/** How the client proves itself in the AS exchange: a password, or long-term keys (keytab). */
export type ClientSecret = { readonly password: string } | { readonly keys: readonly EncryptionKey[] };

const DEFAULT_LIFETIME_S = 10 * 3600;
/** How many PREAUTH_REQUIRED / retry rounds one AS exchange may take. */
const MAX_AS_ROUNDS = 3;

/** krbtgt/REALM@REALM, the TGS of a realm. */
export function tgsPrincipal(realm: string): Principal {
  return { nameType: NameType.SRV_INST, components: ['krbtgt', realm], realm };
}

/** Default salt when the KDC gives none: realm ‖ name components, no separators (RFC 4120 4). */
export function defaultSalt(p: Principal): string {
  return p.realm + p.components.join('');
}

function nonce(): number {
  return randomInt(1, 0x7fffffff);
}


function sameName(a: Principal, b: Principal): boolean {
  return a.realm.toUpperCase() === b.realm.toUpperCase() && a.components.length === b.components.length && a.components.every((c, i) => c.toLowerCase() === b.components[i]!.toLowerCase());
}

/** Salt/iteration hints from padata, best first (ETYPE-INFO2, then ETYPE-INFO, then PW-SALT: RFC 4120 5.2.7.5). */
export function preauthHints(padata: readonly PaData[]): EtypeInfo2Entry[] {
  const info2 = padata.find((p) => p.type === PaDataType.ETYPE_INFO2);
  if (info2 !== undefined) return decodeEtypeInfo2(info2.value);
  const info = padata.find((p) => p.type === PaDataType.ETYPE_INFO);
  if (info !== undefined) return decodeEtypeInfo(info.value);
  const pwSalt = padata.find((p) => p.type === PaDataType.PW_SALT);
  if (pwSalt !== undefined) return [{ etype: -1, salt: pwSalt.value.toString('utf8') }];
  return [];
}

export class KdcClient {
  readonly #options: KdcClientOptions;
  readonly #enctypes: readonly number[];

  constructor(options: KdcClientOptions) {
    const enctypes = options.enctypes ?? DEFAULT_ENCTYPES;
    const unsupported = enctypes.filter((e) => !isSupportedEnctype(e));
    if (unsupported.length > 0) throw new KerberosError(`Unsupported enctypes requested: ${unsupported.join(', ')}.`);
    if (enctypes.length === 0) throw new KerberosError('At least one enctype must be allowed.');
    this.#options = options;
    this.#enctypes = enctypes;
  }

  #now(): Date {
    return this.#options.now?.() ?? new Date();
  }

  /** Sends to this client's KDCs within the caller's deadline and signal (`call`), else the client's own. */
  #send(request: Buffer, realm: string, call: KdcCallOptions | undefined): Promise<Buffer> {
    return sendToKdc(request, { ...this.#options, realm, ...(call?.deadline !== undefined ? { deadline: call.deadline } : {}), ...(call?.signal !== undefined ? { signal: call.signal } : {}) });
  }

  /**
   * AS exchange: a TGT for `client` (or a ticket for `server`, default krbtgt/REALM). `call` bounds
   * the exchange by the caller's whole-call deadline and AbortSignal.
   */
  async getInitialTicket(client: Principal, secret: ClientSecret, server: Principal = tgsPrincipal(client.realm), call?: KdcCallOptions): Promise<KerberosCredential> {
    const context = { client: principalToString(client), server: principalToString(server), realm: client.realm };
    let padata: PaData[] = [{ type: PaDataType.PAC_REQUEST, value: encodePaPacRequest(true) }];
    let hinted: { key: EncryptionKey } | undefined;
    for (let round = 0; round < MAX_AS_ROUNDS; round++) {
      const now = this.#now();
      const body: KdcReqBody = {
        kdcOptions: KdcOptions.CANONICALIZE | KdcOptions.RENEWABLE_OK | (this.#options.forwardable === true ? KdcOptions.FORWARDABLE : 0),
        cname: client,
        realm: client.realm,
        sname: server,
        till: new Date(now.getTime() + (this.#options.ticketLifetimeSeconds ?? DEFAULT_LIFETIME_S) * 1000),
        nonce: nonce(),
        etypes: this.#enctypes,
      };
      const answer = decodeKdcAnswer(await this.#send(encodeKdcReq({ msgType: 10, padata, body }), client.realm, call));
      if (answer.kind === 'error') {
        const err = answer.error;
        if (err.errorCode === KrbErrorCode.KDC_ERR_PREAUTH_REQUIRED && hinted === undefined) {
          const hints = err.eData === undefined ? [] : preauthHints(decodeMethodData(err.eData));
          hinted = { key: this.#clientKey(client, secret, hints, undefined) };
          const { time, usec } = kerberosTimeParts(now);
          const ts = encodePaEncTsEnc({ timestamp: time, usec });
          const profile = enctypeProfile(hinted.key.etype);
          const encTs = profile.encrypt(hinted.key, KeyUsage.AS_REQ_PA_ENC_TIMESTAMP, ts);
          padata = [
            // PA-ENC-TIMESTAMP's value is the DER of EncryptedData (RFC 4120 5.2.7.2).
            { type: PaDataType.ENC_TIMESTAMP, value: encodeEncryptedData({ etype: hinted.key.etype, cipher: encTs }) },
            { type: PaDataType.PAC_REQUEST, value: encodePaPacRequest(true) },
          ];
          continue;
        }
        throw kdcErrorFrom(err, context, this.#now());
      }
      const rep = answer.reply;
      if (rep.msgType !== 11) throw new KerberosError(`KDC answered an AS-REQ with message type ${rep.msgType}.`);
      // Without pre-authentication the reply's padata carries the salt hints instead.
      const key = hinted !== undefined && hinted.key.etype === rep.encPart.etype ? hinted.key : this.#clientKey(client, secret, preauthHints(rep.padata ?? []), rep.encPart.etype);
      let part: EncKdcRepPart;
      try {
        part = this.#openReply(rep, key, KeyUsage.AS_REP_ENCPART, body.nonce, server);
      } catch (err) {
        if (!(err instanceof KerberosIntegrityError)) throw err;
        throw new KerberosIntegrityError(`Wrong password or key for ${context.client}: the KDC's reply does not decrypt with it.`);
      }
      return credentialFrom(rep, part);
    }
    throw new KerberosError('The KDC kept asking for pre-authentication; giving up.');
  }

  /**
   * TGS exchange: a service ticket for `server` using the TGT `tgt`, within `call`'s deadline and
   * signal. With `allowReferral`, the KDC may answer with a cross-realm TGT (krbtgt/OTHER@ITS-REALM)
   * instead, which is returned for the caller to follow (followReferrals in kerberos-tickets.ts);
   * without it such an answer is an error.
   */
  getServiceTicket(tgt: KerberosCredential, server: Principal, call?: KdcCallOptions, options: { readonly allowReferral?: boolean } = {}): Promise<KerberosCredential> {
    // Canonicalize: a KDC may then answer with a referral to the realm that holds the name (RFC 6806 5).
    return this.#tgsExchange(tgt, server, KdcOptions.CANONICALIZE, call, options);
  }

  /**
   * A forwarded (and again forwardable) TGT for delegation: TGS-REQ for the TGT's own krbtgt with
   * kdc-options forwarded (RFC 4120 3.3, 2.6). The KDC refuses (KDC_ERR_BADOPTION) unless `tgt` is forwardable.
   */
  getForwardedTgt(tgt: KerberosCredential, call?: KdcCallOptions): Promise<KerberosCredential> {
    return this.#tgsExchange(tgt, tgt.server, KdcOptions.FORWARDED | KdcOptions.FORWARDABLE, call, {});
  }

  async #tgsExchange(tgt: KerberosCredential, server: Principal, kdcOptions: number, call: KdcCallOptions | undefined, options: { readonly allowReferral?: boolean }): Promise<KerberosCredential> {
    const context = { client: principalToString(tgt.client), server: principalToString(server), realm: server.realm };
    const now = this.#now();
    const body: KdcReqBody = {
      kdcOptions,
      realm: server.realm,
      sname: server,
      till: tgt.endTime,
      nonce: nonce(),
      etypes: this.#enctypes,
    };
    const bodyDer = encodeKdcReqBody(body);
    const profile = enctypeProfile(tgt.key.etype);
    const { time: ctime, usec: cusec } = kerberosTimeParts(now);
    const authenticator = encodeAuthenticator({
      client: tgt.client,
      cksum: { cksumtype: profile.checksumType, checksum: profile.checksum(tgt.key, KeyUsage.TGS_REQ_AUTH_CKSUM, bodyDer) },
      ctime,
      cusec,
    });
    const apReq = encodeApReq({ apOptions: 0, ticket: tgt.ticket, authenticator: { etype: tgt.key.etype, cipher: profile.encrypt(tgt.key, KeyUsage.TGS_REQ_AUTH, authenticator) } });
    const request = encodeKdcReq({ msgType: 12, padata: [{ type: PaDataType.TGS_REQ, value: apReq }], body }, bodyDer);
    const answer = decodeKdcAnswer(await this.#send(request, issuingRealm(tgt), call));
    if (answer.kind === 'error') throw kdcErrorFrom(answer.error, context, this.#now());
    const rep = answer.reply;
    if (rep.msgType !== 13) throw new KerberosError(`KDC answered a TGS-REQ with message type ${rep.msgType}.`);
    const part = this.#openReply(rep, tgt.key, KeyUsage.TGS_REP_ENCPART_SESSKEY, body.nonce, server, options.allowReferral === true ? tgt.server.realm : undefined);
    return credentialFrom(rep, part);
  }

  /** Pick the enctype and derive (or select) the client key the KDC expects. */
  #clientKey(client: Principal, secret: ClientSecret, hints: readonly EtypeInfo2Entry[], replyEtype: number | undefined): EncryptionKey {
    const offered = replyEtype !== undefined ? [replyEtype] : this.#enctypes;
    // The KDC lists hints in its own preference order; take the first one we offered.
    // A hint without a usable etype (PW-SALT, or none at all) still lends its salt to the first
    // enctype we offered, with the default salt when there is none (RFC 4120 5.2.7.5, 4).
    const saltOnly = hints.find((h) => h.salt !== undefined)?.salt;
    const fallback: EtypeInfo2Entry | undefined = hints.every((h) => h.etype === -1) ? { etype: offered[0]!, ...(saltOnly === undefined ? {} : { salt: saltOnly }) } : undefined;
    const hint: EtypeInfo2Entry | undefined = hints.find((h) => offered.includes(h.etype)) ?? (replyEtype !== undefined ? { etype: replyEtype, ...(saltOnly === undefined ? {} : { salt: saltOnly }) } : fallback);
    const keys = 'keys' in secret ? secret.keys : undefined;
    if (keys !== undefined) {
      const candidates = hint !== undefined ? keys.filter((k) => k.etype === hint.etype) : keys.filter((k) => offered.includes(k.etype));
      const key = candidates[0];
      if (key === undefined) {
        throw new KdcError(KrbErrorCode.KDC_ERR_ETYPE_NOSUPP, { client: principalToString(client), realm: client.realm }, `no key in the keytab for enctype ${hint?.etype ?? offered.join('/')}`);
      }
      return key;
    }
    if (hint === undefined) {
      throw new KdcError(KrbErrorCode.KDC_ERR_ETYPE_NOSUPP, { client: principalToString(client), realm: client.realm }, `the KDC offered enctypes ${hints.map((h) => h.etype).join(', ') || '(none)'}, we allow ${this.#enctypes.join(', ')}`);
    }
    const password = (secret as { password: string }).password;
    return enctypeProfile(hint.etype).stringToKey(password, hint.salt ?? defaultSalt(client), hint.s2kparams);
  }

  /** `referralFrom`: the realm whose KDC answered, when a cross-realm TGT of that realm is an acceptable answer. */
  #openReply(rep: DecodedKdcRep, key: EncryptionKey, usage: number, sentNonce: number, server: Principal, referralFrom?: string): EncKdcRepPart {
    if (rep.encPart.etype !== key.etype) throw new KerberosError(`KDC reply is encrypted with enctype ${rep.encPart.etype}, our key is ${key.etype}.`);
    const plain = enctypeProfile(key.etype).decrypt(key, usage, rep.encPart.cipher);
    const part = decodeEncKdcRepPart(plain);
    if (part.nonce !== sentNonce) throw new KerberosError('KDC reply nonce does not match the request: possible replay; not using it.');
    if (!sameName(part.server, server)) {
      const referral = referralTarget(part.server);
      if (referral !== undefined && referralFrom !== undefined && part.server.realm.toUpperCase() === referralFrom.toUpperCase()) return part;
      throw new KerberosError(
        referral !== undefined
          ? `The KDC referred us to realm ${referral} (${principalToString(part.server)}) for ${principalToString(server)}, where no referral was expected.`
          : `KDC issued a ticket for ${principalToString(part.server)} instead of ${principalToString(server)}.`,
      );
    }
    return part;
  }
}

/** The realm a cross-realm TGT krbtgt/OTHER@THIS leads to (OTHER), or undefined for any other name, a realm's own TGT included. */
export function referralTarget(p: Principal): string | undefined {
  if (p.components.length !== 2 || p.components[0]!.toLowerCase() !== 'krbtgt') return undefined;
  const target = p.components[1]!;
  return target.toUpperCase() === p.realm.toUpperCase() ? undefined : target;
}

/** Whose KDC accepts `tgt`: OTHER for krbtgt/OTHER@THIS (a cross-realm TGT), else the ticket's realm. */
export function issuingRealm(tgt: Pick<KerberosCredential, 'server'>): string {
  return referralTarget(tgt.server) ?? tgt.server.realm;
}

function credentialFrom(rep: DecodedKdcRep, part: EncKdcRepPart): KerberosCredential {
  return {
    client: rep.client,
    server: part.server,
    key: part.key,
    authTime: part.authTime,
    ...(part.startTime === undefined ? {} : { startTime: part.startTime }),
    endTime: part.endTime,
    ...(part.renewTill === undefined ? {} : { renewTill: part.renewTill }),
    flags: part.flags,
    ticket: rep.ticket,
  };
}
