/**
 * rc4-hmac (23), RFC 4757. Legacy: only for accounts without AES keys. Node's OpenSSL 3 lacks RC4
 * and MD4 in its default provider, so both come from the NTLM module's plain implementations.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { randomOctets } from './confounder.js';
import { md4 } from '../../ntlm/md4.js';
import { rc4k } from '../../ntlm/rc4.js';
import { KerberosError, KerberosIntegrityError } from '../errors.js';
import type { EncryptionKey } from '../types.js';
import type { EnctypeProfile } from './profile.js';

const CONFOUNDER = 8;
const CKSUM = 16;

function hmacMd5(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const h = createHmac('md5', key);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** Windows' usage mapping (krb5 enc_rc4.c): AS-REP enc-part 3 -> 8, acceptor seal 23 -> 13. */
const USAGE_MAP: Readonly<Record<number, number>> = { 3: 8, 23: 13 };

function usageBytes(usage: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE((USAGE_MAP[usage] ?? usage) >>> 0, 0);
  return b;
}

function check(key: EncryptionKey): void {
  if (key.etype !== 23 || key.value.length !== 16) throw new KerberosError(`Key of enctype ${key.etype} (${key.value.length} bytes) used with rc4-hmac.`);
}

export const rc4Hmac: EnctypeProfile = {
  etype: 23,
  name: 'rc4-hmac',
  keyBytes: 16,
  checksumType: -138,
  checksumBytes: CKSUM,
  overhead: CKSUM + CONFOUNDER,
  hmacBytes: 0,
  stringToKey(password) {
    // The salt plays no part (RFC 4757 key generation).
    return { etype: 23, value: Buffer.from(md4(Buffer.from(password, 'utf16le'))) };
  },
  encrypt(key, usage, plaintext, confounder = randomOctets(CONFOUNDER)) {
    check(key);
    const k1 = hmacMd5(key.value, usageBytes(usage));
    const data = Buffer.concat([confounder, plaintext]);
    const cksum = hmacMd5(k1, data);
    const k3 = hmacMd5(k1, cksum);
    return Buffer.concat([cksum, rc4k(k3, data)]);
  },
  decrypt(key, usage, ciphertext) {
    check(key);
    if (ciphertext.length < CKSUM + CONFOUNDER) throw new KerberosIntegrityError(`Ciphertext of ${ciphertext.length} bytes is too short for rc4-hmac.`);
    const k1 = hmacMd5(key.value, usageBytes(usage));
    const cksum = ciphertext.subarray(0, CKSUM);
    const data = Buffer.from(rc4k(hmacMd5(k1, cksum), ciphertext.subarray(CKSUM)));
    if (!timingSafeEqual(hmacMd5(k1, data), cksum)) throw new KerberosIntegrityError(`Integrity check failed (rc4-hmac, key usage ${usage}): wrong key or tampered data.`);
    return data.subarray(CONFOUNDER);
  },
  checksum(key, usage, data) {
    check(key);
    const ksign = hmacMd5(key.value, Buffer.from('signaturekey\0', 'latin1'));
    return hmacMd5(ksign, createHash('md5').update(usageBytes(usage)).update(data).digest());
  },
  randomKey() {
    return { etype: 23, value: randomBytes(16) };
  },
};
