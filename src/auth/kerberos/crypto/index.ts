/** Enctype registry: the profiles we implement, by number. */
import { KerberosError } from '../errors.js';
import { aes128CtsHmacSha196, aes256CtsHmacSha196 } from './aes-sha1.js';
import { aes128CtsHmacSha256128, aes256CtsHmacSha384192 } from './aes-sha2.js';
import type { EnctypeProfile } from './profile.js';
import { rc4Hmac } from './rc4-hmac.js';

export type { EnctypeProfile } from './profile.js';
export { nfold } from './nfold.js';
export { ctsEncrypt, ctsDecrypt } from './aes-cts.js';
export { deriveKey, deriveRandom, usageConstant } from './rfc3961.js';
export { kdfHmacSha2, prfAesSha2 } from './aes-sha2.js';

const PROFILES: ReadonlyMap<number, EnctypeProfile> = new Map(
  [aes256CtsHmacSha196, aes128CtsHmacSha196, aes256CtsHmacSha384192, aes128CtsHmacSha256128, rc4Hmac].map((p) => [p.etype, p]),
);

/** Our default preference, strongest first; RC4 last (legacy). Matches what AD accounts usually hold. */
export const DEFAULT_ENCTYPES: readonly number[] = [18, 17, 20, 19, 23];

export function isSupportedEnctype(etype: number): boolean {
  return PROFILES.has(etype);
}

export function enctypeProfile(etype: number): EnctypeProfile {
  const p = PROFILES.get(etype);
  if (p === undefined) throw new KerberosError(`Encryption type ${etype} is not supported (supported: ${[...PROFILES.keys()].join(', ')}).`);
  return p;
}

/** Checksum type -> the enctype whose keyed checksum it is (RFC 3961 8). */
const CHECKSUM_ENCTYPE: ReadonlyMap<number, number> = new Map([...PROFILES.values()].map((p) => [p.checksumType, p.etype]));

export function checksumEnctype(cksumtype: number): number | undefined {
  return CHECKSUM_ENCTYPE.get(cksumtype);
}
