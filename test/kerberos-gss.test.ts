/**
 * GSS-API krb5 pieces: initial-token framing, the 0x8003 checksum with channel bindings, RFC 4121
 * wrap/unwrap against tokens MIT krb5 1.20.1 accepted (kerberos-facts.md §6.5, §8, §9), and the
 * protections around them (tampering, replay, reflection).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KerberosError, KerberosIntegrityError } from '../src/auth/kerberos/errors.js';
import { GssFlags, TokenId, channelBindingHash, decodeGssChecksum, encodeGssChecksum, frameInitialToken, unframeInitialToken } from '../src/auth/kerberos/gss-framing.js';
import { GssMessageProtection } from '../src/auth/kerberos/gss-wrap.js';
import { rc4Unwrap, rc4Wrap } from '../src/auth/kerberos/gss-wrap-rc4.js';
import { DEFAULT_INITIATOR_FLAGS } from '../src/auth/kerberos/gss-context.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const seq = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => i));

describe('GSS krb5 framing and checksum', () => {
  it('initial token framing: 60 len 06092a864886f712010202 TOK_ID message', () => {
    const token = frameInitialToken(TokenId.AP_REP, Buffer.from('6f00', 'hex'));
    assert.equal(token.toString('hex'), '600f06092a864886f71201020202006f00');
    assert.deepEqual(unframeInitialToken(token), { tokenId: 0x0200, message: Buffer.from('6f00', 'hex') });
    // Microsoft's mistaken OID is accepted too.
    const ms = Buffer.from('600f06092a864882f71201020201006e00', 'hex');
    assert.equal(unframeInitialToken(ms).tokenId, TokenId.AP_REQ);
    assert.throws(() => unframeInitialToken(Buffer.from('600f06092a864886f71201020302006f00', 'hex')), /not Kerberos/);
    assert.throws(() => unframeInitialToken(token.subarray(0, 10)), KerberosError);
  });

  it('checksum 0x8003: flags 3e000000, Bnd of tls-server-end-point (MIT-observed vector)', () => {
    const appData = Buffer.concat([Buffer.from('tls-server-end-point:'), seq(32)]);
    assert.equal(channelBindingHash(appData).toString('hex'), '8f1214c9c9cab8dc3bf866da9aba57a7');
    assert.equal(channelBindingHash(undefined).toString('hex'), '00'.repeat(16));
    const ck = encodeGssChecksum(channelBindingHash(appData), DEFAULT_INITIATOR_FLAGS);
    assert.equal(ck.toString('hex'), '10000000' + '8f1214c9c9cab8dc3bf866da9aba57a7' + '3e000000');
    assert.deepEqual(decodeGssChecksum(ck), { bnd: channelBindingHash(appData), flags: 0x3e });
    const deleg = Buffer.from('10000000' + '00'.repeat(16) + '01000000' + '01000a00', 'hex'); // DELEG set, Dlgth 10, no Deleg
    assert.throws(() => decodeGssChecksum(deleg), /truncated delegation/);
    assert.throws(() => decodeGssChecksum(ck.subarray(0, 20)), /at least 24/);
  });
});

describe('RC4-HMAC wrap tokens (RFC 4757 7)', () => {
  it('reproduces the MS-KILE 4.5 example byte for byte and unwraps it', () => {
    const key = hex('81a2cb90af7fc2d19554a150d8185359');
    const { header, data } = rc4Wrap(key, 0x60cbacd3, true, hex('112233445566778899aabbccddeeff'), { confounder: hex('5256f3fb630cf12a') });
    assert.equal(header.toString('hex'), '603b06092a864886f712010202' + '0201' + '1100' + '1000' + 'ffff' + 'e29e8bbc6348e740' + 'ebaa619244a156a1' + '3b5cf65e3c21b9aa');
    assert.equal(data.toString('hex'), '8ed63f0ac83815335b72e293bae1f660');
    assert.equal(rc4Unwrap(key, 0x60cbacd3, true, header, data).toString('hex'), '112233445566778899aabbccddeeff');
    assert.throws(() => rc4Unwrap(key, 0x60cbacd4, true, header, data), /out of sequence/);
    assert.throws(() => rc4Unwrap(key, 0x60cbacd3, false, header, data), /direction/);
  });
});

describe('RFC 4121 wrap tokens', () => {
  const key = { etype: 18, value: seq(32) };
  const acceptorAt = (recv: number): GssMessageProtection => new GssMessageProtection({ key, isAcceptor: true, acceptorSubkey: true }, 1, recv);
  const CH = '6eb423060d1cf7120591a44def5b99fdc37dcbda1675b577f5ed063e3c750c71c4fcaa7d16f8d4b1a4943174e1d9fd77ad30dbc644aa2f2851';
  const rrc0 = hex('050406ff000000000000000012345678' + CH);
  const rrc28 = hex('050406ff0000001c0000000012345678 750c71c4fcaa7d16f8d4b1a4943174e1d9fd77ad30dbc644aa2f2851 6eb423060d1cf7120591a44def5b99fd c37dcbda1675b577f5ed063e3c');

  it('unwraps the worked example with RRC 0 and RRC 28 (tokens MIT accepts)', () => {
    assert.equal(acceptorAt(0x12345678).unwrap(rrc0).toString(), '<s:Envelope/>');
    assert.equal(acceptorAt(0x12345678).unwrap(rrc28).toString(), '<s:Envelope/>');
  });

  it('unwraps the WinRM split (60-byte header, 13-byte data) from the facts example', () => {
    const payload = hex('3c000000 050406ff0000001c0000000012345678750c71c4fcaa7d16f8d4b1a4943174e1d9fd77ad30dbc644aa2f28516eb423060d1cf7120591a44def5b99fd c37dcbda1675b577f5ed063e3c');
    const headerLength = payload.readUInt32LE(0);
    assert.equal(headerLength, 60);
    const a = acceptorAt(0x12345678);
    assert.equal(a.winrmHeaderLength, 60);
    assert.equal(a.unwrapWinrm(payload.subarray(4, 4 + headerLength), payload.subarray(4 + headerLength)).toString(), '<s:Envelope/>');
  });

  it('our wrapWinrm output has the same layout: header 60 (AES-SHA1), 64 (19), 72 (20); data as long as the plaintext', () => {
    for (const [etype, size, header] of [[18, 32, 60], [17, 16, 60], [19, 16, 64], [20, 32, 72]] as const) {
      const k = { etype, value: seq(size) };
      const ini = new GssMessageProtection({ key: k, isAcceptor: false, acceptorSubkey: true }, 7, 9);
      const acc = new GssMessageProtection({ key: k, isAcceptor: true, acceptorSubkey: true }, 9, 7);
      const body = Buffer.from('<s:Envelope>hello</s:Envelope>');
      const { header: h, data } = ini.wrapWinrm(body);
      assert.equal(h.length, header, `etype ${etype}`);
      assert.equal(data.length, body.length);
      assert.equal(h.readUInt16BE(6), header - 32, 'RRC = 16 + h');
      assert.equal(h[2], 0x06, 'flags: sealed | acceptor subkey');
      assert.deepEqual(acc.unwrapWinrm(h, data), body);
      const reply = acc.wrapWinrm(Buffer.from('reply'));
      assert.equal(reply.header[2], 0x07);
      assert.equal(ini.unwrapWinrm(reply.header, reply.data).toString(), 'reply');
    }
  });

  it('any RRC round-trips, including RRC larger than the token; integrity-only tokens too', () => {
    const ini = new GssMessageProtection({ key, isAcceptor: false, acceptorSubkey: true }, 0, 0);
    const acc = new GssMessageProtection({ key, isAcceptor: true, acceptorSubkey: true }, 0, 0);
    for (const rrc of [0, 1, 3, 28, 100, 65535]) {
      assert.equal(acc.unwrap(ini.wrap(Buffer.from(`rrc ${rrc}`), { rrc })).toString(), `rrc ${rrc}`);
    }
    const plain = ini.wrap(Buffer.from('signed only'), { confidential: false, rrc: 5 });
    assert.ok(plain.includes(Buffer.from('signed')) || plain.includes(Buffer.from('only')), 'integrity-only data stays readable');
    assert.equal(plain.readUInt16BE(4), 12, 'EC = checksum size');
    assert.equal(acc.unwrap(plain).toString(), 'signed only');
  });

  it('unwrapWinrm takes a token split anywhere between header and data part, for any RRC, sealed or integrity-only', () => {
    for (const [etype, size] of [[18, 32], [20, 32]] as const) {
      const k = { etype, value: seq(size) };
      const ini = new GssMessageProtection({ key: k, isAcceptor: false, acceptorSubkey: true }, 0, 0);
      const acc = new GssMessageProtection({ key: k, isAcceptor: true, acceptorSubkey: true }, 0, 0);
      const body = Buffer.from('<s:Envelope>é split</s:Envelope>');
      for (const confidential of [true, false]) {
        for (const rrc of [0, 5, 28, 40, 300]) {
          const probe = ini.wrap(body, { confidential, rrc });
          const length = probe.length;
          assert.deepEqual(acc.unwrap(probe), body);
          for (const cut of [16, 17, 16 + (rrc % 50), 44, 60, 61, length - 1, length]) {
            const token = ini.wrap(body, { confidential, rrc });
            const header = Buffer.from(token.subarray(0, cut));
            const data = Buffer.from(token.subarray(cut));
            const copies = [header.toString('hex'), data.toString('hex')];
            assert.deepEqual(acc.unwrapWinrm(header, data), body, `etype ${etype} ${confidential ? 'sealed' : 'signed'} rrc ${rrc} cut ${cut}`);
            assert.deepEqual([header.toString('hex'), data.toString('hex')], copies, 'the parts are read, never written');
          }
        }
      }
    }
  });

  it('wrapWinrm cuts the same token wrap() builds with RRC 16 + h', () => {
    const ini = new GssMessageProtection({ key, isAcceptor: false, acceptorSubkey: true }, 3, 3);
    const acc = new GssMessageProtection({ key, isAcceptor: true, acceptorSubkey: true }, 3, 3);
    for (const text of ['x'.repeat(16), 'exactly one block', 'a'.repeat(3563)]) {
      const { header, data } = ini.wrapWinrm(Buffer.from(text));
      assert.equal(header.readUInt16BE(6), 28);
      // Joined, the parts are one RFC 4121 token with RRC 28 that unwrap() takes whole.
      assert.equal(acc.unwrap(Buffer.concat([header, data])).toString(), text);
    }
  });

  it('rejects tampering, replays, gaps and reflected tokens', () => {
    const mk = (): [GssMessageProtection, GssMessageProtection] => [
      new GssMessageProtection({ key, isAcceptor: false, acceptorSubkey: true }, 100, 200),
      new GssMessageProtection({ key, isAcceptor: true, acceptorSubkey: true }, 200, 100),
    ];
    let [ini, acc] = mk();
    const t1 = ini.wrap(Buffer.from('one'));
    const bad = Buffer.from(t1);
    bad[bad.length - 1]! ^= 1;
    assert.throws(() => acc.unwrap(bad), KerberosIntegrityError);
    [ini, acc] = mk();
    const a = ini.wrap(Buffer.from('a'));
    const b = ini.wrap(Buffer.from('b'));
    assert.throws(() => acc.unwrap(b), /sequence gap/);
    assert.equal(acc.unwrap(a).toString(), 'a');
    assert.equal(acc.unwrap(b).toString(), 'b');
    assert.throws(() => acc.unwrap(b), /replayed/);
    // A token the initiator made cannot be fed back to the initiator.
    [ini, acc] = mk();
    assert.throws(() => ini.unwrap(ini.wrap(Buffer.from('x'))), /our own side/);
    // Header fields are covered: changing the sequence number breaks the encrypted header copy.
    [ini, acc] = mk();
    const t = ini.wrap(Buffer.from('seq'));
    t.writeBigUInt64BE(100n, 8);
    assert.equal(acc.unwrap(t).toString(), 'seq');
    const t2 = ini.wrap(Buffer.from('seq2'));
    t2.writeBigUInt64BE(102n, 8);
    const acc2 = new GssMessageProtection({ key, isAcceptor: true, acceptorSubkey: true }, 200, 102);
    assert.throws(() => acc2.unwrap(t2), KerberosIntegrityError);
  });

  it('MIC tokens verify and detect changes', () => {
    const ini = new GssMessageProtection({ key, isAcceptor: false, acceptorSubkey: true }, 5, 6);
    const acc = new GssMessageProtection({ key, isAcceptor: true, acceptorSubkey: true }, 6, 5);
    const mic = ini.getMic(Buffer.from('mechTypes'));
    assert.equal(mic.subarray(0, 8).toString('hex'), '040404ffffffffff');
    assert.throws(() => acc.verifyMic(Buffer.from('mechtypes'), mic), KerberosIntegrityError);
    acc.verifyMic(Buffer.from('mechTypes'), mic);
  });

  it('RC4 contexts use RFC 4757 tokens for wrap and MIC', () => {
    const k = { etype: 23, value: seq(16) };
    const ini = new GssMessageProtection({ key: k, isAcceptor: false, acceptorSubkey: true }, 5, 9);
    const acc = new GssMessageProtection({ key: k, isAcceptor: true, acceptorSubkey: true }, 9, 5);
    const { header, data } = ini.wrapWinrm(Buffer.from('<s:Envelope/>'));
    assert.equal(data.length, 14, 'data part = plaintext + one padding octet');
    assert.equal(acc.unwrapWinrm(header, data).toString(), '<s:Envelope/>');
    assert.equal(ini.unwrap(acc.wrap(Buffer.from('reply'))).toString(), 'reply');
    assert.equal(ini.unwrap(acc.wrap(Buffer.from('signed'), { confidential: false })).toString(), 'signed');
    assert.throws(() => ini.unwrap(ini.wrap(Buffer.from('x'))), /direction/);
    const t = acc.wrap(Buffer.from('tamper'));
    t[t.length - 2]! ^= 1;
    assert.throws(() => ini.unwrap(t), KerberosIntegrityError);
    // MIC (RFC 4757 7.2), as SPNEGO's mechListMIC uses it: fresh contexts, send/receive numbers 7 and 3.
    const i2 = new GssMessageProtection({ key: k, isAcceptor: false, acceptorSubkey: true }, 7, 3);
    const a2 = new GssMessageProtection({ key: k, isAcceptor: true, acceptorSubkey: true }, 3, 7);
    const mechTypes = Buffer.from('300b06092a864886f712010202', 'hex');
    const mic = i2.getMic(mechTypes);
    assert.equal(mic.subarray(0, 13).toString('hex'), '602306092a864886f712010202', 'RFC 1964 framing: 0x60, length, krb5 OID');
    assert.equal(mic.subarray(13, 21).toString('hex'), '01011100ffffffff', 'TOK_ID 01 01, SGN_ALG HMAC-MD5, filler');
    assert.equal(mic.length, 13 + 24);
    assert.throws(() => a2.verifyMic(Buffer.from('300b06092a864886f712010203', 'hex'), mic), KerberosIntegrityError);
    const flipped = Buffer.from(mic);
    flipped[flipped.length - 1]! ^= 0x80;
    assert.throws(() => a2.verifyMic(mechTypes, flipped), KerberosIntegrityError);
    a2.verifyMic(mechTypes, mic);
    assert.throws(() => a2.verifyMic(mechTypes, mic), /out of sequence/, 'a replayed MIC');
    const reply = a2.getMic(mechTypes);
    assert.notDeepEqual(reply.subarray(21), mic.subarray(21), 'the acceptor\'s token differs (direction, sequence)');
    i2.verifyMic(mechTypes, reply);
    // The wrap stream continues in step after the MICs.
    assert.equal(a2.unwrap(i2.wrap(Buffer.from('after'))).toString(), 'after');
    assert.throws(() => i2.verifyMic(mechTypes, i2.getMic(mechTypes)), /direction/, 'a reflected MIC');
  });
});
