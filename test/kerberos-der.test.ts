/** The bounded DER codec used by the Kerberos, GSS and SPNEGO modules. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeDer,
  encodeContext,
  encodeFlags,
  encodeInteger,
  encodeKerberosString,
  encodeKerberosTime,
  encodeOid,
  encodeSequence,
  readFlags,
  readInteger,
  readKerberosString,
  readKerberosTime,
  readOid,
  required,
  sequenceFields,
  tlv,
} from '../src/auth/kerberos/der.js';
import { KerberosError } from '../src/auth/kerberos/errors.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('DER codec', () => {
  it('integers: minimal two\'s complement over the Kerberos range', () => {
    const cases: [number, string][] = [
      [0, '020100'], [5, '020105'], [127, '02017f'], [128, '02020080'], [-1, '0201ff'], [-128, '020180'],
      [-129, '0202ff7f'], [-138, '0202ff76'], [0x7fffffff, '02047fffffff'], [0xffffffff, '020500ffffffff'], [-0x80000000, '020480000000'],
    ];
    for (const [n, enc] of cases) {
      assert.equal(encodeInteger(n).toString('hex'), enc, `encode ${n}`);
      assert.equal(readInteger(decodeDer(hex(enc)), 'n'), n, `decode ${n}`);
    }
    assert.throws(() => encodeInteger(2 ** 32), KerberosError);
    assert.throws(() => readInteger(decodeDer(hex('0206010000000000')), 'n'), /too large/);
  });

  it('flags are 32-bit BIT STRINGs with bit 0 as MSB (RFC 4120 5.2.8)', () => {
    assert.equal(encodeFlags(0x20000000).toString('hex'), '03050020000000'); // mutual-required
    assert.equal(readFlags(decodeDer(hex('03050040810010')), 'f'), 0x40810010);
    assert.equal(readFlags(decodeDer(hex('0302 0040'.replace(' ', ''))), 'f'), 0x40000000, 'short bit strings read as zero-extended');
  });

  it('KerberosTime and GeneralString', () => {
    const d = new Date(Date.UTC(2026, 11, 7, 13, 59, 43, 512));
    const enc = encodeKerberosTime(d);
    assert.equal(enc.toString('latin1', 2), '20261207135943Z');
    assert.equal(readKerberosTime(decodeDer(enc), 't').getTime(), Date.UTC(2026, 11, 7, 13, 59, 43));
    assert.equal(readKerberosString(decodeDer(encodeKerberosString('EXAMPLE.COM')), 's'), 'EXAMPLE.COM');
    assert.throws(() => readKerberosTime(decodeDer(tlv(0x18, Buffer.from('2026-12-07'))), 't'), /not a GeneralizedTime/);
  });

  it('OIDs (SPNEGO, krb5, MS krb5, NTLM)', () => {
    const cases: [string, string][] = [
      ['1.3.6.1.5.5.2', '06062b0601050502'],
      ['1.2.840.113554.1.2.2', '06092a864886f712010202'],
      ['1.2.840.48018.1.2.2', '06092a864882f712010202'],
      ['1.3.6.1.4.1.311.2.2.10', '060a2b06010401823702020a'],
    ];
    for (const [oid, enc] of cases) {
      assert.equal(encodeOid(oid).toString('hex'), enc);
      assert.equal(readOid(decodeDer(hex(enc)), 'oid'), oid);
    }
  });

  it('context-tagged sequences: fields by tag, order enforced, optional absent', () => {
    const seq = encodeSequence(encodeContext(0, encodeInteger(5)), encodeContext(2, encodeKerberosString('x')), encodeContext(3, undefined));
    const fields = sequenceFields(decodeDer(seq), 'Test');
    assert.equal(readInteger(required(fields, 0, 'Test'), 'a'), 5);
    assert.equal(fields.has(1), false);
    assert.throws(() => required(fields, 1, 'Test'), /missing field \[1\]/);
    const swapped = encodeSequence(encodeContext(2, encodeInteger(1)), encodeContext(0, encodeInteger(1)));
    assert.throws(() => sequenceFields(decodeDer(swapped), 'Test'), /out of order/);
  });

  it('bounds: truncation, overrun, trailing bytes, indefinite length, depth, size', () => {
    assert.throws(() => decodeDer(hex('30')), /truncated header/);
    assert.throws(() => decodeDer(hex('3005020101')), /runs past the end/);
    assert.throws(() => decodeDer(hex('300302010100')), /trailing/);
    assert.throws(() => decodeDer(hex('3080020101 0000'.replace(' ', ''))), /indefinite/);
    assert.throws(() => decodeDer(hex('3085 0000000001'.replace(' ', ''))), /longer than 4/);
    assert.throws(() => decodeDer(hex('1f2001')), /high tag/);
    // A child claiming more than its parent holds.
    assert.throws(() => decodeDer(hex('3003 0205 01'.replace(/ /g, ''))), /runs past|truncated/);
    let deep: Buffer = encodeInteger(1);
    for (let i = 0; i < 40; i++) deep = encodeSequence(deep);
    assert.throws(() => decodeDer(deep), /deeper than 32/);
    assert.throws(() => decodeDer(Buffer.alloc(10), { maxBytes: 4, maxDepth: 4, maxNodes: 4 }), /limit/);
    const many = encodeSequence(...Array.from({ length: 50 }, () => encodeInteger(0)));
    assert.throws(() => decodeDer(many, { maxBytes: 1000, maxDepth: 4, maxNodes: 10 }), /more than 10 values/);
  });

  it('random bytes never escape as anything but KerberosError', () => {
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    for (let i = 0; i < 3000; i++) {
      const buf = Buffer.from(Array.from({ length: 1 + (rnd() % 40) }, rnd));
      if (i % 2 === 0) buf[0] = 0x30;
      try {
        decodeDer(buf);
      } catch (err) {
        assert.ok(err instanceof KerberosError, String(err));
      }
    }
  });
});
