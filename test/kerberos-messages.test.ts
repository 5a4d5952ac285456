/** RFC 4120 messages: every message round-trips, and known first octets match the spec. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KerberosError } from '../src/auth/kerberos/errors.js';
import {
  ApOptions,
  decodeApRep,
  decodeApReq,
  decodeAuthenticator,
  decodeEncApRepPart,
  decodeEncKdcRepPart,
  decodeEncTicketPart,
  decodeEtypeInfo,
  decodeEtypeInfo2,
  decodeKdcAnswer,
  decodeKdcRep,
  decodeKdcReq,
  decodeKrbError,
  decodeMethodData,
  decodePaEncTsEnc,
  decodeTicket,
  encodeApRep,
  encodeApReq,
  encodeAuthenticator,
  encodeEncApRepPart,
  encodeEncKdcRepPart,
  encodeEncTicketPart,
  encodeEtypeInfo2,
  encodeKdcRep,
  encodeKdcReq,
  encodeKrbError,
  encodeMethodData,
  encodePaEncTsEnc,
  encodeTicket,
  KdcOptions,
  PaDataType,
  TicketFlags,
  type EncKdcRepPart,
  type EncTicketPart,
  type KdcReq,
} from '../src/auth/kerberos/messages.js';
import { encodeOctetString, encodeSequence } from '../src/auth/kerberos/der.js';
import type { Principal } from '../src/auth/kerberos/types.js';

const t0 = new Date(Date.UTC(2026, 11, 7, 14, 0, 0));
const t1 = new Date(Date.UTC(2026, 11, 8, 0, 0, 0));
const user: Principal = { nameType: 1, components: ['Administrator'], realm: 'EXAMPLE.COM' };
const krbtgt: Principal = { nameType: 2, components: ['krbtgt', 'EXAMPLE.COM'], realm: 'EXAMPLE.COM' };
const http: Principal = { nameType: 2, components: ['HTTP', 'hv01.example.com'], realm: 'EXAMPLE.COM' };
const key = { etype: 18, value: Buffer.alloc(32, 7) };
const encData = { etype: 18, kvno: 2, cipher: Buffer.from('opaque ciphertext') };
const ticket = encodeTicket({ sname: http, encPart: encData });

describe('Kerberos messages (RFC 4120)', () => {
  it('Ticket: [APPLICATION 1] round-trip keeps the raw DER', () => {
    assert.equal(ticket[0], 0x61);
    const t = decodeTicket(ticket);
    assert.deepEqual(t.sname, http);
    assert.deepEqual(t.encPart, encData);
    assert.deepEqual(t.raw, ticket);
  });

  it('EncTicketPart round-trip', () => {
    const etp: EncTicketPart = {
      flags: TicketFlags.INITIAL | TicketFlags.PRE_AUTHENT,
      key,
      client: user,
      transited: { trType: 1, contents: Buffer.alloc(0) },
      authTime: t0,
      startTime: t0,
      endTime: t1,
      authorizationData: [{ adType: 1, adData: Buffer.from([1, 2]) }],
    };
    const enc = encodeEncTicketPart(etp);
    assert.equal(enc[0], 0x63);
    assert.deepEqual(decodeEncTicketPart(enc), etp);
  });

  it('AS-REQ and TGS-REQ round-trip, first octets 6A / 6C, body bytes preserved', () => {
    const asReq: KdcReq = {
      msgType: 10,
      padata: [{ type: PaDataType.ENC_TIMESTAMP, value: Buffer.from('ts') }],
      body: { kdcOptions: KdcOptions.FORWARDABLE | KdcOptions.CANONICALIZE, cname: user, realm: 'EXAMPLE.COM', sname: krbtgt, till: t1, nonce: 0xdeadbeef, etypes: [18, 17, 23] },
    };
    const enc = encodeKdcReq(asReq);
    assert.equal(enc[0], 0x6a);
    const dec = decodeKdcReq(enc);
    assert.equal(dec.msgType, 10);
    assert.deepEqual(dec.padata, asReq.padata);
    assert.equal(dec.body.nonce, 0xdeadbeef);
    assert.deepEqual(dec.body.etypes, [18, 17, 23]);
    assert.deepEqual(dec.body.cname, { nameType: 1, components: ['Administrator'] });
    assert.equal(dec.body.kdcOptions, 0x40010000);
    assert.ok(enc.includes(dec.bodyRaw));
    const tgsReq: KdcReq = { msgType: 12, padata: [], body: { kdcOptions: 0, realm: 'EXAMPLE.COM', sname: http, till: t1, nonce: 1, etypes: [18], additionalTickets: [ticket] } };
    const tgs = decodeKdcReq(encodeKdcReq(tgsReq));
    assert.equal(encodeKdcReq(tgsReq)[0], 0x6c);
    assert.deepEqual(tgs.padata, []);
    assert.deepEqual(tgs.body.additionalTickets, [ticket]);
  });

  it('AS-REP / TGS-REP round-trip (6B / 6D) and EncKDCRepPart under either tag', () => {
    for (const msgType of [11, 13] as const) {
      const enc = encodeKdcRep({ msgType, padata: [{ type: 19, value: Buffer.from('x') }], client: user, ticket, encPart: encData });
      assert.equal(enc[0], 0x60 + msgType);
      const dec = decodeKdcRep(enc);
      assert.equal(dec.msgType, msgType);
      assert.deepEqual(dec.client, user);
      assert.deepEqual(dec.ticket, ticket);
      assert.deepEqual(dec.encPart, encData);
      assert.deepEqual(dec.decodedTicket.sname, http);
    }
    const part: EncKdcRepPart = {
      key,
      lastReq: [{ lrType: 0, lrValue: t0 }],
      nonce: 42,
      flags: TicketFlags.INITIAL,
      authTime: t0,
      endTime: t1,
      renewTill: t1,
      server: krbtgt,
      encryptedPaData: [{ type: 149, value: Buffer.alloc(0) }],
    };
    for (const app of [25, 26] as const) {
      const enc = encodeEncKdcRepPart(part, app);
      assert.equal(enc[0], 0x60 + app);
      assert.deepEqual(decodeEncKdcRepPart(enc), part);
    }
  });

  it('AP-REQ / Authenticator / AP-REP / EncAPRepPart round-trip', () => {
    const apReq = encodeApReq({ apOptions: ApOptions.MUTUAL_REQUIRED, ticket, authenticator: encData });
    assert.equal(apReq.subarray(0, 1).toString('hex'), '6e');
    assert.ok(apReq.includes(Buffer.from('a20703050020000000', 'hex')), 'ap-options mutual-required as MIT sends it');
    const d = decodeApReq(apReq);
    assert.equal(d.apOptions, ApOptions.MUTUAL_REQUIRED);
    assert.deepEqual(d.ticket, ticket);
    const auth = { client: user, cksum: { cksumtype: 0x8003, checksum: Buffer.alloc(24) }, cusec: 999999, ctime: t0, subkey: key, seqNumber: 0xfffffffe };
    const authEnc = encodeAuthenticator(auth);
    assert.equal(authEnc[0], 0x62);
    assert.deepEqual(decodeAuthenticator(authEnc), auth);
    const rep = encodeApRep(encData);
    assert.equal(rep[0], 0x6f);
    assert.deepEqual(decodeApRep(rep).encPart, encData);
    const part = { ctime: t0, cusec: 5, subkey: key, seqNumber: 12345 };
    const partEnc = encodeEncApRepPart(part);
    assert.equal(partEnc[0], 0x7b);
    assert.deepEqual(decodeEncApRepPart(partEnc), part);
  });

  it('KRB-ERROR round-trip (7E) with METHOD-DATA e-data and ETYPE-INFO2', () => {
    const info = [{ etype: 18, salt: 'EXAMPLE.COMAdministrator', s2kparams: Buffer.from('00001000', 'hex') }, { etype: 23 }];
    const eData = encodeMethodData([{ type: PaDataType.ETYPE_INFO2, value: encodeEtypeInfo2(info) }, { type: PaDataType.ENC_TIMESTAMP, value: Buffer.alloc(0) }]);
    const err = { stime: t0, susec: 123, errorCode: 25, client: user, server: krbtgt, eText: 'NEEDED_PREAUTH', eData };
    const enc = encodeKrbError(err);
    assert.equal(enc[0], 0x7e);
    assert.deepEqual(decodeKrbError(enc), err);
    const answer = decodeKdcAnswer(enc);
    assert.equal(answer.kind, 'error');
    const md = decodeMethodData(eData);
    assert.deepEqual(decodeEtypeInfo2(md[0]!.value), info);
    assert.equal(decodeKdcAnswer(encodeKdcRep({ msgType: 11, client: user, ticket, encPart: encData })).kind, 'reply');
  });

  it('PA-ENC-TS-ENC and ETYPE-INFO round-trip', () => {
    assert.deepEqual(decodePaEncTsEnc(encodePaEncTsEnc({ timestamp: t0, usec: 7 })), { timestamp: t0, usec: 7 });
    const info = encodeSequence(encodeSequence(Buffer.from('a003020117', 'hex'), Buffer.concat([Buffer.from([0xa1, 6]), encodeOctetString(Buffer.from('salt'))])));
    assert.deepEqual(decodeEtypeInfo(info), [{ etype: 23, salt: 'salt' }]);
  });

  it('rejects wrong pvno, wrong msg-type and truncated messages with KerberosError', () => {
    const good = encodeApRep(encData);
    const badPvno = Buffer.from(good);
    badPvno[badPvno.indexOf(Buffer.from('a003020105', 'hex')) + 4] = 4;
    assert.throws(() => decodeApRep(badPvno), /protocol version 4/);
    assert.throws(() => decodeApReq(good), KerberosError);
    for (let n = 0; n < good.length; n++) assert.throws(() => decodeApRep(good.subarray(0, n)), KerberosError);
  });
});
