/** What every enctype offers the rest of the Kerberos code (RFC 3961 3 "encryption mechanism"). */
import type { EncryptionKey } from '../types.js';

export interface EnctypeProfile {
  readonly etype: number;
  readonly name: string;
  readonly keyBytes: number;
  /** Checksum type of the associated keyed checksum (RFC 3961 8) and its size on the wire. */
  readonly checksumType: number;
  readonly checksumBytes: number;
  /** Confounder + integrity octets a ciphertext adds to its plaintext. */
  readonly overhead: number;
  /** Octets of the trailing integrity check (h); 0 where it leads, as in RC4. */
  readonly hmacBytes: number;
  /**
   * Long-term key from a password. `params` is s2kparams from PA-ETYPE-INFO2 (AES: 4-byte BE
   * iteration count); absent means the enctype's default.
   */
  stringToKey(password: string, salt: string | Uint8Array, params?: Uint8Array): EncryptionKey;
  /** `confounder` is for test vectors only; production code lets it be random. */
  encrypt(key: EncryptionKey, usage: number, plaintext: Uint8Array, confounder?: Uint8Array): Buffer;
  /** Throws KerberosIntegrityError when the integrity check fails. */
  decrypt(key: EncryptionKey, usage: number, ciphertext: Uint8Array): Buffer;
  checksum(key: EncryptionKey, usage: number, data: Uint8Array): Buffer;
  randomKey(): EncryptionKey;
}
