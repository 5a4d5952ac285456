/**
 * The one DER codec (src/asn1/der.ts): encoders against known encodings (X.690 examples, RFC 5280
 * keyUsage bits, X.509 times), reader round trips, typed DerError on malformed or oversized input,
 * and the Kerberos layer re-typing those failures as KerberosError.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DER_NULL,
  DerError,
  Tag,
  decodeDer,
  encodeBitString,
  encodeBoolean,
  encodeContext,
  encodeGeneralizedTime,
  encodeInteger,
  encodeNamedBits,
  encodeOid,
  encodeSequence,
  encodeSet,
  encodeUnsignedInteger,
  encodeUtcTime,
  encodeUtf8String,
  readBitFlags,
  readGeneralizedTime,
  readInteger,
  readOid,
  sequenceFields,
  tlv,
} from '../src/asn1/der.js';
import * as kerberosDer from '../src/auth/kerberos/der.js';
import { KerberosError } from '../src/auth/kerberos/errors.js';
import { ErrorCodes } from '../src/errors.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('DER encoders', () => {
  it('lengths: short form, then the fewest octets of the long form', () => {
    assert.equal(hex(tlv(0x04, Buffer.alloc(0x7f))).slice(0, 4), '047f');
    assert.equal(hex(tlv(0x04, Buffer.alloc(0x80))).slice(0, 6), '048180');
    assert.equal(hex(tlv(0x04, Buffer.alloc(0x100))).slice(0, 8), '04820100');
    assert.equal(hex(tlv(0x04, Buffer.alloc(0x10000))).slice(0, 10), '0483010000');
  });

  it('INTEGER: minimal two\'s complement; unsigned from bytes gets a leading zero when the top bit is set', () => {
    assert.equal(hex(encodeInteger(0)), '020100');
    assert.equal(hex(encodeInteger(127)), '02017f');
    assert.equal(hex(encodeInteger(128)), '02020080');
    assert.equal(hex(encodeInteger(-128)), '020180');
    assert.equal(hex(encodeInteger(-129)), '0202ff7f');
    assert.equal(hex(encodeInteger(2 ** 40)), '02060100' + '00000000');
    assert.throws(() => encodeInteger(2 ** 60), DerError);
    assert.equal(hex(encodeUnsignedInteger(Buffer.from([0, 0, 0x80, 1]))), '0203008001');
    assert.equal(hex(encodeUnsignedInteger(Buffer.from([0, 0x12]))), '020112');
    assert.equal(hex(encodeUnsignedInteger(Buffer.from([0]))), '020100');
  });

  it('BOOLEAN, NULL, UTF8String, SET, explicit [n]', () => {
    assert.equal(hex(encodeBoolean(true)), '0101ff');
    assert.equal(hex(encodeBoolean(false)), '010100');
    assert.equal(hex(DER_NULL), '0500');
    assert.equal(hex(encodeUtf8String('hé')), '0c0368c3a9');
    assert.equal(hex(encodeSet(DER_NULL, DER_NULL)), '310405000500');
    assert.equal(hex(encodeContext(3, DER_NULL)), 'a3020500');
    assert.equal(encodeContext(3, undefined), undefined);
    assert.equal(hex(encodeSequence(DER_NULL, undefined, DER_NULL)), '300405000500');
  });

  it('OID: the X.690 8.19 example and a large arc', () => {
    assert.equal(hex(encodeOid('2.100.3')), '0603813403');
    assert.equal(hex(encodeOid('1.2.840.113549.1.1.11')), '06092a864886f70d01010b');
    assert.equal(readOid(decodeDer(encodeOid('1.3.6.1.4.1.311.20.2.3')), 'upn'), '1.3.6.1.4.1.311.20.2.3');
    assert.throws(() => encodeOid('1'), DerError);
  });

  it('BIT STRING: whole octets, and named bits without trailing zero bits (RFC 5280 keyUsage)', () => {
    assert.equal(hex(encodeBitString(Buffer.from([0x12, 0x34]))), '0303001234');
    // digitalSignature(0) + keyEncipherment(2): 101 -> 5 unused bits.
    assert.equal(hex(encodeNamedBits([0, 2])), '030205a0');
    // keyCertSign(5) + cRLSign(6) -> 0000011, 1 unused bit.
    assert.equal(hex(encodeNamedBits([5, 6])), '03020106');
    // decipherOnly(8) spills into a second octet.
    assert.equal(hex(encodeNamedBits([0, 8])), '0303078080');
    assert.equal(readBitFlags(decodeDer(encodeBitString(Buffer.from([0x40, 0x81, 0, 0x10]))), 'flags'), 0x40810010);
  });

  it('times: UTCTime and GeneralizedTime in whole seconds, read back', () => {
    const d = new Date('2049-12-31T23:59:58.750Z');
    assert.equal(encodeUtcTime(d).subarray(2).toString('latin1'), '491231235958Z');
    assert.equal(encodeUtcTime(d)[0], Tag.UTC_TIME);
    assert.equal(encodeGeneralizedTime(d).subarray(2).toString('latin1'), '20491231235958Z');
    assert.equal(readGeneralizedTime(decodeDer(encodeGeneralizedTime(d)), 't').toISOString(), '2049-12-31T23:59:58.000Z');
  });
});

describe('DER reader', () => {
  it('round trip of a context-tagged SEQUENCE', () => {
    const v = encodeSequence(encodeContext(0, encodeInteger(-5)), encodeContext(2, encodeInteger(70000)));
    const f = sequenceFields(decodeDer(v), 'v');
    assert.equal(readInteger(f.get(0)!, 'a'), -5);
    assert.equal(readInteger(f.get(2)!, 'b'), 70000);
    assert.equal(f.has(1), false);
  });

  it('malformed or oversized input is a DerError (ERR_DER), never anything else', () => {
    const cases = ['30', '3005020101', '3080', '1f0100', '0285ffffffffff', '02'];
    for (const c of cases) {
      assert.throws(() => decodeDer(Buffer.from(c, 'hex')), (e: unknown) => e instanceof DerError && e.code === ErrorCodes.DER, c);
    }
    assert.throws(() => decodeDer(Buffer.alloc(10), { maxBytes: 4, maxDepth: 4, maxNodes: 4 }), DerError);
    let seed = 11;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    for (let i = 0; i < 2000; i++) {
      const buf = Buffer.from(Array.from({ length: 1 + (rnd() % 40) }, rnd));
      try {
        decodeDer(buf);
      } catch (err) {
        assert.ok(err instanceof DerError, String(err));
      }
    }
  });

  it('the Kerberos layer re-types DER failures as KerberosError and keeps INTEGERs to 32 bits', () => {
    assert.throws(() => kerberosDer.decodeDer(Buffer.from('3005020101', 'hex')), (e: unknown) => e instanceof KerberosError && e.code === ErrorCodes.KERBEROS && e.cause instanceof DerError);
    assert.throws(() => kerberosDer.encodeInteger(2 ** 32), KerberosError);
    assert.equal(hex(kerberosDer.encodeInteger(2 ** 32 - 1)), hex(encodeInteger(2 ** 32 - 1)));
    assert.equal(hex(kerberosDer.encodeFlags(0x40810010)), '03050040810010');
  });
});
