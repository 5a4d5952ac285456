/**
 * A minimal KDC for one realm, held in memory: AS exchange with PA-ENC-TIMESTAMP pre-auth (and
 * the PREAUTH_REQUIRED / ETYPE-INFO2 round), TGS exchange, KRB-ERRORs for the cases clients must
 * handle, forwardable and forwarded TGTs for delegation (RFC 4120 2.6), and cross-realm trust
 * (InMemoryKdc.trust): a TGS-REQ for another realm's service is answered with a referral, a
 * cross-realm TGT krbtgt/OTHER@THIS (RFC 4120 1.2, RFC 6806), by realm in the request or by
 * host-name rules as AD does. For tests and the emulated host only: no PAC, no transited-path
 * checks, no renewal, no replay cache.
 * `handle()` is sans-IO; `listen()` serves it on loopback TCP and UDP (RFC 4120 7.2).
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { enctypeProfile, isSupportedEnctype } from './crypto/index.js';
import { KerberosError, KerberosIntegrityError } from './errors.js';
import { KrbErrorCode } from './kdc-errors.js';
import { defaultSalt, tgsPrincipal } from './kdc-client.js';
import {
  KdcOptions,
  KeyUsage,
  kerberosTimeParts,
  MessageType,
  PaDataType,
  TicketFlags,
  decodeApReq,
  decodeAuthenticator,
  decodeEncTicketPart,
  decodeEncryptedData,
  decodeKdcReq,
  decodePaEncTsEnc,
  encodeEncKdcRepPart,
  encodeEncTicketPart,
  encodeEtypeInfo2,
  encodeKdcRep,
  encodeKrbError,
  encodeMethodData,
  encodeTicket,
  type DecodedKdcReq,
  type EncTicketPart,
  type PaData,
} from './messages.js';
import { decodeDer } from './der.js';
import { NameType, type EncryptionKey, type KdcAddress, type KeytabEntry, type Principal } from './types.js';

export interface InMemoryKdcOptions {
  readonly realm: string;
  /** Enctypes for keys derived from passwords, KDC preference order. Default [18, 17]. */
  readonly enctypes?: readonly number[];
  /** Seconds to add to the real clock: simulates a KDC whose clock is off. */
  readonly clockOffsetSeconds?: number;
  /** Tolerated skew. Default 300 s. */
  readonly maxSkewSeconds?: number;
  /** UDP replies above this size get KRB_ERR_RESPONSE_TOO_BIG. Default 1400. */
  readonly maxUdpReplyBytes?: number;
  /** PBKDF2 iterations announced in ETYPE-INFO2 (AES-SHA1 default 4096). */
  readonly iterations?: number;
  /** Answer AS-REQs without pre-authentication (old MIT default). Default false. */
  readonly noPreauth?: boolean;
  /** Leave PA-ETYPE-INFO2 out of PREAUTH_REQUIRED, as very old KDCs do. Default false. */
  readonly omitEtypeInfo2?: boolean;
  /**
   * AD-style referrals for services this KDC does not hold: a host-based name (service/host) whose
   * host ends with a key here (e.g. `.res.example`) is referred to that realm, as a domain controller
   * refers a name of a trusted domain.
   */
  readonly hostReferrals?: Readonly<Record<string, string>>;
  /** Grant FORWARDABLE when an AS-REQ asks for it (false: a policy that never does). Default true. */
  readonly allowForwardable?: boolean;
  /** Mark service tickets OK-AS-DELEGATE, as AD does for hosts trusted for delegation. Default false. */
  readonly okAsDelegate?: boolean;
}

interface Account {
  readonly principal: Principal;
  readonly keys: readonly EncryptionKey[];
  readonly salt: string;
  readonly kvno: number;
  locked: boolean;
}

const key = (p: Pick<Principal, 'components' | 'realm'>): string => `${p.components.join('/')}@${p.realm}`.toLowerCase();

export class InMemoryKdc {
  readonly realm: string;
  readonly #accounts = new Map<string, Account>();
  readonly #options: InMemoryKdcOptions;
  readonly #enctypes: readonly number[];
  #tcp?: Server;
  #udp?: UdpSocket;
  readonly #sockets = new Set<Socket>();
  /** Requests handled, by message type, for assertions about transport and retries. */
  readonly received: { transport: 'tcp' | 'udp'; msgType: number }[] = [];

  constructor(options: InMemoryKdcOptions) {
    this.realm = options.realm;
    this.#options = options;
    this.#enctypes = options.enctypes ?? [18, 17];
    for (const e of this.#enctypes) if (!isSupportedEnctype(e)) throw new KerberosError(`InMemoryKdc: unsupported enctype ${e}.`);
    // The TGS key is random, like a fresh realm's krbtgt.
    this.#add(tgsPrincipal(this.realm), this.#enctypes.map((e) => enctypeProfile(e).randomKey()), '');
  }

  #s2kParams(): Buffer | undefined {
    if (this.#options.iterations === undefined) return undefined;
    const b = Buffer.alloc(4);
    b.writeUInt32BE(this.#options.iterations, 0);
    return b;
  }

  #add(principal: Principal, keys: readonly EncryptionKey[], salt: string): void {
    this.#accounts.set(key(principal), { principal, keys, salt, kvno: 1, locked: false });
  }

  /** Add a user (NT-PRINCIPAL) with a password; `salt` defaults to REALM ‖ name as AD and MIT do. */
  addUser(name: string, password: string, salt?: string): Principal {
    const principal: Principal = { nameType: NameType.PRINCIPAL, components: name.split('/'), realm: this.realm };
    const s = salt ?? defaultSalt(principal);
    this.#add(principal, this.#enctypes.map((e) => enctypeProfile(e).stringToKey(password, s, this.#s2kParams())), s);
    return principal;
  }

  /** Add a service (e.g. HTTP/host.example.com) with random keys; returns its keytab entries. */
  addService(spn: string): KeytabEntry[] {
    const principal: Principal = { nameType: NameType.SRV_INST, components: spn.split('/'), realm: this.realm };
    const keys = this.#enctypes.map((e) => enctypeProfile(e).randomKey());
    this.#add(principal, keys, '');
    return keys.map((k) => ({ principal, kvno: 1, key: k }));
  }

  /**
   * One-way trust: principals of `from` may use services of `to`. Both KDCs hold the keys of the
   * cross-realm TGS principal krbtgt/TO@FROM (RFC 4120 1.2): `from` issues referral tickets for it,
   * `to` accepts them.
   */
  static trust(from: InMemoryKdc, to: InMemoryKdc): void {
    const principal: Principal = { nameType: NameType.SRV_INST, components: ['krbtgt', to.realm], realm: from.realm };
    const keys = from.#enctypes.filter((e) => to.#enctypes.includes(e)).map((e) => enctypeProfile(e).randomKey());
    if (keys.length === 0) throw new KerberosError(`InMemoryKdc: ${from.realm} and ${to.realm} share no enctype.`);
    from.#add(principal, keys, '');
    to.#add(principal, keys, '');
  }

  /** Lock an account out (AS requests then get KDC_ERR_CLIENT_REVOKED). */
  lock(name: string): void {
    const account = this.#accounts.get(key({ components: name.split('/'), realm: this.realm }));
    if (account === undefined) throw new KerberosError(`InMemoryKdc: no account ${name}.`);
    account.locked = true;
  }

  #now(): Date {
    return new Date(Date.now() + (this.#options.clockOffsetSeconds ?? 0) * 1000);
  }

  #error(code: number, server: Principal, client?: Principal, eData?: Buffer, eText?: string): Buffer {
    const { time, usec } = kerberosTimeParts(this.#now());
    return encodeKrbError({
      stime: time,
      susec: usec,
      errorCode: code,
      ...(client === undefined ? {} : { client }),
      server,
      ...(eText === undefined ? {} : { eText }),
      ...(eData === undefined ? {} : { eData }),
    });
  }

  /** Answer one request (AS-REQ or TGS-REQ DER); always returns a reply or a KRB-ERROR. */
  handle(request: Uint8Array): Buffer {
    const tgs = tgsPrincipal(this.realm);
    let req: DecodedKdcReq;
    try {
      req = decodeKdcReq(request);
    } catch (err) {
      return this.#error(KrbErrorCode.KRB_ERR_GENERIC, tgs, undefined, undefined, `cannot decode request: ${(err as Error).message}`);
    }
    try {
      return req.msgType === MessageType.AS_REQ ? this.#as(req) : this.#tgs(req);
    } catch (err) {
      if (err instanceof KerberosIntegrityError) return this.#error(KrbErrorCode.KRB_AP_ERR_BAD_INTEGRITY, tgs);
      return this.#error(KrbErrorCode.KRB_ERR_GENERIC, tgs, undefined, undefined, (err as Error).message);
    }
  }

  #as(req: DecodedKdcReq): Buffer {
    const { body } = req;
    const sname: Principal = { ...(body.sname ?? tgsPrincipal(this.realm)), realm: body.realm };
    if (body.cname === undefined) return this.#error(KrbErrorCode.KDC_ERR_BADOPTION, sname);
    const cname: Principal = { ...body.cname, realm: body.realm };
    if (body.realm.toUpperCase() !== this.realm.toUpperCase()) return this.#error(KrbErrorCode.KDC_ERR_WRONG_REALM, sname, cname);
    const client = this.#accounts.get(key(cname));
    if (client === undefined) return this.#error(KrbErrorCode.KDC_ERR_C_PRINCIPAL_UNKNOWN, sname, cname);
    const service = this.#accounts.get(key(sname));
    if (service === undefined) return this.#error(KrbErrorCode.KDC_ERR_S_PRINCIPAL_UNKNOWN, sname, cname);
    if (client.locked) return this.#error(KrbErrorCode.KDC_ERR_CLIENT_REVOKED, sname, cname);
    const clientKeys = body.etypes.map((e) => client.keys.find((k) => k.etype === e)).filter((k): k is EncryptionKey => k !== undefined);
    if (clientKeys.length === 0) return this.#error(KrbErrorCode.KDC_ERR_ETYPE_NOSUPP, sname, cname);
    const encTs = req.padata.find((p) => p.type === PaDataType.ENC_TIMESTAMP);
    if (encTs === undefined && this.#options.noPreauth === true) {
      const k = clientKeys[0]!;
      return this.#asReply(req, client, service, k, 0);
    }
    if (encTs === undefined) {
      const info = encodeEtypeInfo2(clientKeys.map((k) => ({ etype: k.etype, salt: client.salt, ...(this.#s2kParams() === undefined ? {} : { s2kparams: this.#s2kParams()! }) })));
      const eData = encodeMethodData([
        ...(this.#options.omitEtypeInfo2 === true ? [] : [{ type: PaDataType.ETYPE_INFO2, value: info }]),
        { type: PaDataType.ENC_TIMESTAMP, value: Buffer.alloc(0) },
      ]);
      return this.#error(KrbErrorCode.KDC_ERR_PREAUTH_REQUIRED, sname, cname, eData, 'Additional pre-authentication required');
    }
    const ed = decodeEncryptedData(decodeDer(encTs.value), 'PA-ENC-TIMESTAMP');
    const clientKey = client.keys.find((k) => k.etype === ed.etype);
    if (clientKey === undefined) return this.#error(KrbErrorCode.KDC_ERR_ETYPE_NOSUPP, sname, cname);
    let ts;
    try {
      ts = decodePaEncTsEnc(enctypeProfile(ed.etype).decrypt(clientKey, KeyUsage.AS_REQ_PA_ENC_TIMESTAMP, ed.cipher));
    } catch {
      return this.#error(KrbErrorCode.KDC_ERR_PREAUTH_FAILED, sname, cname);
    }
    if (Math.abs(ts.timestamp.getTime() - this.#now().getTime()) > (this.#options.maxSkewSeconds ?? 300) * 1000) {
      return this.#error(KrbErrorCode.KRB_AP_ERR_SKEW, sname, cname);
    }
    return this.#asReply(req, client, service, clientKey, TicketFlags.PRE_AUTHENT);
  }

  #asReply(req: DecodedKdcReq, client: Account, service: Account, clientKey: EncryptionKey, extraFlags: number): Buffer {
    const { body } = req;
    const forwardable = (body.kdcOptions & KdcOptions.FORWARDABLE) !== 0 && this.#options.allowForwardable !== false ? TicketFlags.FORWARDABLE : 0;
    const issued = this.#issue(client.principal, service, body.etypes, body.till, TicketFlags.INITIAL | forwardable | extraFlags);
    if (issued === undefined) return this.#error(KrbErrorCode.KDC_ERR_ETYPE_NOSUPP, service.principal, client.principal);
    const part = encodeEncKdcRepPart({ ...issued.part, lastReq: [{ lrType: 0, lrValue: issued.part.authTime }], nonce: body.nonce, server: service.principal }, 25);
    const padata: PaData[] = [{ type: PaDataType.ETYPE_INFO2, value: encodeEtypeInfo2([{ etype: clientKey.etype, salt: client.salt }]) }];
    return encodeKdcRep({
      msgType: 11,
      padata,
      client: client.principal,
      ticket: issued.ticket,
      encPart: { etype: clientKey.etype, cipher: enctypeProfile(clientKey.etype).encrypt(clientKey, KeyUsage.AS_REP_ENCPART, part) },
    });
  }

  #tgs(req: DecodedKdcReq): Buffer {
    const tgsName = tgsPrincipal(this.realm);
    const sname: Principal = { ...(req.body.sname ?? tgsName), realm: req.body.realm };
    const paTgs = req.padata.find((p) => p.type === PaDataType.TGS_REQ);
    if (paTgs === undefined) return this.#error(KrbErrorCode.KRB_ERR_GENERIC, sname, undefined, undefined, 'TGS-REQ without PA-TGS-REQ');
    const apReq = decodeApReq(paTgs.value);
    // A TGT of this realm (krbtgt/THIS@THIS) or a cross-realm one from a trusting realm (krbtgt/THIS@OTHER).
    const ticketName = apReq.decodedTicket.sname;
    if (ticketName.components.length !== 2 || ticketName.components[0]!.toLowerCase() !== 'krbtgt' || ticketName.components[1]!.toUpperCase() !== this.realm.toUpperCase()) {
      return this.#error(KrbErrorCode.KRB_AP_ERR_NOT_US, sname);
    }
    const krbtgt = this.#accounts.get(key(ticketName));
    if (krbtgt === undefined) return this.#error(KrbErrorCode.KRB_AP_ERR_NOT_US, sname);
    const tgtKey = krbtgt.keys.find((k) => k.etype === apReq.decodedTicket.encPart.etype);
    if (tgtKey === undefined) return this.#error(KrbErrorCode.KRB_AP_ERR_BADKEYVER, sname);
    const tgt = decodeEncTicketPart(enctypeProfile(tgtKey.etype).decrypt(tgtKey, KeyUsage.KDC_REP_TICKET, apReq.decodedTicket.encPart.cipher));
    if (tgt.endTime.getTime() < this.#now().getTime()) return this.#error(KrbErrorCode.KRB_AP_ERR_TKT_EXPIRED, sname, tgt.client);
    const sessionProfile = enctypeProfile(tgt.key.etype);
    const auth = decodeAuthenticator(sessionProfile.decrypt(tgt.key, KeyUsage.TGS_REQ_AUTH, apReq.authenticator.cipher));
    if (Math.abs(auth.ctime.getTime() - this.#now().getTime()) > (this.#options.maxSkewSeconds ?? 300) * 1000) {
      return this.#error(KrbErrorCode.KRB_AP_ERR_SKEW, sname, tgt.client);
    }
    const expected = sessionProfile.checksum(tgt.key, KeyUsage.TGS_REQ_AUTH_CKSUM, req.bodyRaw);
    if (auth.cksum === undefined || !auth.cksum.checksum.equals(expected)) return this.#error(KrbErrorCode.KRB_AP_ERR_MODIFIED, sname, tgt.client);
    const service = this.#accounts.get(key(sname)) ?? this.#referral(sname);
    if (service === undefined) return this.#error(KrbErrorCode.KDC_ERR_S_PRINCIPAL_UNKNOWN, sname, tgt.client);
    const flags = this.#tgsFlags(req.body.kdcOptions, tgt.flags, service.principal.components[0]?.toLowerCase() === 'krbtgt');
    if (flags === undefined) return this.#error(KrbErrorCode.KDC_ERR_BADOPTION, sname, tgt.client, undefined, 'TGT is not forwardable');
    const issued = this.#issue(tgt.client, service, req.body.etypes, new Date(Math.min(req.body.till.getTime(), tgt.endTime.getTime())), flags, tgt.authTime);
    if (issued === undefined) return this.#error(KrbErrorCode.KDC_ERR_ETYPE_NOSUPP, sname, tgt.client);
    const part = encodeEncKdcRepPart({ ...issued.part, lastReq: [], nonce: req.body.nonce, server: service.principal }, 26);
    return encodeKdcRep({
      msgType: 13,
      client: tgt.client,
      ticket: issued.ticket,
      encPart: { etype: tgt.key.etype, cipher: sessionProfile.encrypt(tgt.key, KeyUsage.TGS_REP_ENCPART_SESSKEY, part) },
    });
  }

  /**
   * The cross-realm TGS account to refer `sname` to, if any: by the realm the request names, else by
   * a host rule for a host-based name in this realm.
   */
  #referral(sname: Principal): Account | undefined {
    let target: string | undefined;
    if (sname.realm.toUpperCase() !== this.realm.toUpperCase()) target = sname.realm;
    else if (sname.components.length === 2 && this.#options.hostReferrals !== undefined) {
      const host = sname.components[1]!.toLowerCase();
      target = Object.entries(this.#options.hostReferrals).find(([suffix]) => host === suffix.replace(/^\./, '').toLowerCase() || host.endsWith(suffix.startsWith('.') ? suffix.toLowerCase() : `.${suffix.toLowerCase()}`))?.[1];
    }
    if (target === undefined || target.toUpperCase() === this.realm.toUpperCase()) return undefined;
    return this.#accounts.get(key({ components: ['krbtgt', target], realm: this.realm }));
  }

  /**
   * Flags of a TGS-issued ticket (RFC 4120 2.6): FORWARDED only from a FORWARDABLE TGT (else
   * undefined: BADOPTION), FORWARDABLE kept only when asked and the TGT has it, FORWARDED inherited;
   * service tickets OK-AS-DELEGATE when the realm says so.
   */
  #tgsFlags(kdcOptions: number, tgtFlags: number, forTgs: boolean): number | undefined {
    const tgtForwardable = (tgtFlags & TicketFlags.FORWARDABLE) !== 0;
    if ((kdcOptions & KdcOptions.FORWARDED) !== 0 && !tgtForwardable) return undefined;
    let flags = tgtFlags & TicketFlags.FORWARDED;
    if ((kdcOptions & KdcOptions.FORWARDED) !== 0) flags |= TicketFlags.FORWARDED;
    if ((kdcOptions & KdcOptions.FORWARDABLE) !== 0 && tgtForwardable) flags |= TicketFlags.FORWARDABLE;
    if (!forTgs && this.#options.okAsDelegate === true) flags |= TicketFlags.OK_AS_DELEGATE;
    return flags;
  }

  /** Make a ticket for `service`: session key of the client's first acceptable enctype, encrypted in the service's key. */
  #issue(client: Principal, service: Account, etypes: readonly number[], till: Date, flags: number, authTime?: Date) {
    const sessionEtype = etypes.find((e) => this.#enctypes.includes(e));
    const serviceKey = service.keys[0];
    if (sessionEtype === undefined || serviceKey === undefined) return undefined;
    const now = this.#now();
    const authtime = authTime ?? new Date(now.getTime() - (now.getTime() % 1000));
    const end = Math.min(till.getTime(), now.getTime() + 10 * 3600 * 1000);
    const endTime = new Date(end - (end % 1000));
    const sessionKey = enctypeProfile(sessionEtype).randomKey();
    const etp: EncTicketPart = { flags, key: sessionKey, client, transited: { trType: 1, contents: Buffer.alloc(0) }, authTime: authtime, startTime: authtime, endTime };
    const ticket = encodeTicket({
      sname: service.principal,
      encPart: { etype: serviceKey.etype, kvno: service.kvno, cipher: enctypeProfile(serviceKey.etype).encrypt(serviceKey, KeyUsage.KDC_REP_TICKET, encodeEncTicketPart(etp)) },
    });
    return { ticket, part: { key: sessionKey, flags, authTime: authtime, startTime: authtime, endTime } };
  }

  /**
   * Serve on loopback TCP and UDP on the same port number (as a real KDC on 88 does), so a client
   * given only host:port can fall back from one to the other. Returns the address three ways.
   */
  async listen(host = '127.0.0.1'): Promise<{ tcp: KdcAddress; udp: KdcAddress; any: KdcAddress }> {
    for (let attempt = 0; ; attempt++) {
      const tcp = createServer((socket) => this.#serveTcp(socket));
      await new Promise<void>((resolve, reject) => tcp.once('error', reject).listen(0, host, resolve));
      const port = (tcp.address() as { port: number }).port;
      const udp = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      const bound = await new Promise<boolean>((resolve) => {
        udp.once('error', () => resolve(false));
        udp.bind(port, host, () => resolve(true));
      });
      if (!bound) {
        udp.close();
        await new Promise<void>((resolve) => tcp.close(() => resolve()));
        if (attempt < 10) continue;
        throw new KerberosError('InMemoryKdc: could not bind TCP and UDP on one port.');
      }
      this.#tcp = tcp;
      this.#udp = udp;
      udp.on('message', (msg, rinfo) => {
        this.received.push({ transport: 'udp', msgType: peekMsgType(msg) });
        let reply = this.handle(msg);
        if (reply.length > (this.#options.maxUdpReplyBytes ?? 1400)) reply = this.#error(KrbErrorCode.KRB_ERR_RESPONSE_TOO_BIG, tgsPrincipal(this.realm));
        udp.send(reply, rinfo.port, rinfo.address);
      });
      return { tcp: { host, port, transport: 'tcp' }, udp: { host, port, transport: 'udp' }, any: { host, port } };
    }
  }

  #serveTcp(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length > 1 << 20) return socket.destroy();
      while (buffered.length >= 4) {
        const len = buffered.readUInt32BE(0);
        if (len > 1 << 20) return socket.destroy();
        if (buffered.length < 4 + len) return;
        const msg = buffered.subarray(4, 4 + len);
        buffered = buffered.subarray(4 + len);
        this.received.push({ transport: 'tcp', msgType: peekMsgType(msg) });
        const reply = this.handle(msg);
        const prefix = Buffer.alloc(4);
        prefix.writeUInt32BE(reply.length, 0);
        socket.write(Buffer.concat([prefix, reply]));
      }
    });
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await Promise.all([
      new Promise<void>((resolve) => (this.#tcp === undefined ? resolve() : this.#tcp.close(() => resolve()))),
      new Promise<void>((resolve) => (this.#udp === undefined ? resolve() : this.#udp.close(() => resolve()))),
    ]);
  }
}

function peekMsgType(msg: Buffer): number {
  return msg.length > 0 ? msg[0]! - 0x60 : -1;
}
