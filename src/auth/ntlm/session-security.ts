/**
 * NTLM session security with extended session security (MS-NLMP 3.4): per-direction signing and
 * sealing keys, one RC4 handle per direction that lives as long as the session (connection-oriented,
 * never re-keyed), and a sequence number per direction.
 */
import { NtlmError, NtlmSignatureError } from '../../errors.js';
import { NegotiateFlags, hasFlag } from './flags.js';
import { ascii, bytesEqual, view } from './bytes.js';
import { hmacMd5, md5 } from './ntlmv2.js';
import { Rc4 } from './rc4.js';

export interface NtlmSession {
  /** Encrypt and sign; returns the 16-byte NTLMSSP_MESSAGE_SIGNATURE and the sealed bytes (3.4.3). */
  seal(plaintext: Uint8Array): { signature: Uint8Array; sealed: Uint8Array };
  /** Decrypt, then verify (the inbound RC4 stream is consumed by the data first, then the checksum). */
  unseal(sealed: Uint8Array, signature: Uint8Array): Uint8Array;
  /** Signature only (3.4.4); consumes outbound sequence number and RC4 keystream like seal(). */
  sign(message: Uint8Array): Uint8Array;
  /** Check an inbound signature; throws NtlmSignatureError. */
  verify(message: Uint8Array, signature: Uint8Array): void;
  /** seal() and unseal() without copies: RC4 keeps the length, so the data is transformed where it lies. */
  readonly inPlace?: InPlaceSealing;
}

/** Sealing that transforms the data where it lies (a length-preserving cipher); the signature has a fixed length. */
export interface InPlaceSealing {
  readonly signatureLength: number;
  /** Encrypt `data` in place; returns the signature. */
  seal(data: Uint8Array): Uint8Array;
  /** Decrypt `data` in place and verify it against `signature`; returns `data`. */
  unseal(data: Uint8Array, signature: Uint8Array): Uint8Array;
}

export type NtlmRole = 'client' | 'server';
type Direction = 'client-to-server' | 'server-to-client';

export const SIGNATURE_LENGTH = 16;
const SIGNATURE_VERSION = 1; // NTLMSSP_MESSAGE_SIGNATURE.Version (2.2.2.9.1)

/** SIGNKEY with extended session security (3.4.5.2): MD5(ExportedSessionKey ‖ magic constant incl. NUL). */
export function signingKey(exportedSessionKey: Uint8Array, direction: Direction): Uint8Array {
  return md5(exportedSessionKey, ascii(`session key to ${direction} signing key magic constant\0`));
}

// SEALKEY truncates the session key according to the negotiated strength (3.4.5.3).
const SEAL_KEY_LENGTHS: readonly (readonly [number, number])[] = [
  [NegotiateFlags.NEGOTIATE_128, 16],
  [NegotiateFlags.NEGOTIATE_56, 7],
];
const WEAKEST_SEAL_KEY_LENGTH = 5;

/** SEALKEY with extended session security (3.4.5.3). */
export function sealingKey(exportedSessionKey: Uint8Array, flags: number, direction: Direction): Uint8Array {
  const length = SEAL_KEY_LENGTHS.find(([flag]) => hasFlag(flags, flag))?.[1] ?? WEAKEST_SEAL_KEY_LENGTH;
  return md5(exportedSessionKey.subarray(0, length), ascii(`session key to ${direction} sealing key magic constant\0`));
}

const OUTBOUND: Record<NtlmRole, Direction> = { client: 'client-to-server', server: 'server-to-client' };
const INBOUND: Record<NtlmRole, Direction> = { client: 'server-to-client', server: 'client-to-server' };

/** One direction of the session: its keys, RC4 handle and sequence number. */
class Channel {
  readonly #signKey: Uint8Array;
  readonly #rc4: Rc4;
  readonly #keyExchange: boolean;
  seqNum = 0;

  constructor(exportedSessionKey: Uint8Array, flags: number, direction: Direction) {
    this.#signKey = signingKey(exportedSessionKey, direction);
    this.#rc4 = new Rc4(sealingKey(exportedSessionKey, flags, direction));
    this.#keyExchange = hasFlag(flags, NegotiateFlags.KEY_EXCH);
  }

  crypt(data: Uint8Array): Uint8Array {
    return this.#rc4.update(data);
  }

  cryptInPlace(data: Uint8Array): void {
    this.#rc4.updateInto(data, data);
  }

  /**
   * HMAC_MD5(SigningKey, SeqNum ‖ Message)[0..7] for the signature (3.4.4.2); the checksum is
   * RC4-encrypted separately (checksum()), after the data has taken its keystream.
   */
  digest(message: Uint8Array, seqNum: number): Uint8Array {
    const signature = new Uint8Array(SIGNATURE_LENGTH);
    const seq = signature.subarray(12, 16);
    writeUint32le(signature, 0, SIGNATURE_VERSION);
    writeUint32le(signature, 12, seqNum);
    signature.set(hmacMd5(this.#signKey, seq, message).subarray(0, 8), 4);
    return signature;
  }

  /** RC4-encrypt the checksum of `signature` with the sealing handle when KEY_EXCH was negotiated. */
  checksum(signature: Uint8Array): Uint8Array {
    if (this.#keyExchange) this.cryptInPlace(signature.subarray(4, 12));
    return signature;
  }

  /** MAC with extended session security (3.4.4.2). */
  mac(message: Uint8Array, seqNum: number): Uint8Array {
    return this.checksum(this.digest(message, seqNum));
  }
}

function writeUint32le(out: Uint8Array, at: number, value: number): void {
  out[at] = value & 0xff;
  out[at + 1] = (value >>> 8) & 0xff;
  out[at + 2] = (value >>> 16) & 0xff;
  out[at + 3] = (value >>> 24) & 0xff;
}

class ExtendedSessionSecurity implements NtlmSession {
  readonly #out: Channel;
  readonly #in: Channel;
  #broken = false;

  readonly inPlace: InPlaceSealing;

  constructor(exportedSessionKey: Uint8Array, flags: number, role: NtlmRole) {
    this.#out = new Channel(exportedSessionKey, flags, OUTBOUND[role]);
    this.#in = new Channel(exportedSessionKey, flags, INBOUND[role]);
    this.inPlace = {
      signatureLength: SIGNATURE_LENGTH,
      seal: (data) => {
        this.#usable();
        // The MAC covers the plaintext, so it is computed first; the keystream still goes to the data, then the checksum.
        const signature = this.#out.digest(data, this.#out.seqNum++);
        this.#out.cryptInPlace(data);
        return this.#out.checksum(signature);
      },
      unseal: (data, signature) => {
        this.#usable();
        this.#checkShape(signature);
        this.#in.cryptInPlace(data);
        this.#check(data, signature);
        return data;
      },
    };
  }

  seal(plaintext: Uint8Array): { signature: Uint8Array; sealed: Uint8Array } {
    this.#usable();
    // SEAL (3.4.3): the data takes the keystream first, then the checksum.
    const sealed = this.#out.crypt(plaintext);
    const signature = this.#out.mac(plaintext, this.#out.seqNum++);
    return { signature, sealed };
  }

  sign(message: Uint8Array): Uint8Array {
    this.#usable();
    return this.#out.mac(message, this.#out.seqNum++);
  }

  unseal(sealed: Uint8Array, signature: Uint8Array): Uint8Array {
    this.#usable();
    this.#checkShape(signature);
    const plaintext = this.#in.crypt(sealed);
    this.#check(plaintext, signature);
    return plaintext;
  }

  verify(message: Uint8Array, signature: Uint8Array): void {
    this.#usable();
    this.#checkShape(signature);
    this.#check(message, signature);
  }

  #checkShape(signature: Uint8Array): void {
    if (signature.length !== SIGNATURE_LENGTH) {
      throw new NtlmSignatureError(`NTLM message signature must be ${SIGNATURE_LENGTH} bytes, got ${signature.length}.`);
    }
  }

  #check(message: Uint8Array, signature: Uint8Array): void {
    const expectedSeq = this.#in.seqNum++;
    const expected = this.#in.mac(message, expectedSeq);
    if (bytesEqual(expected, signature)) return;
    // The inbound RC4 stream has moved on; nothing after this message could be verified.
    this.#broken = true;
    const dv = view(signature);
    const version = dv.getUint32(0, true);
    const seq = dv.getUint32(12, true);
    const reason =
      version !== SIGNATURE_VERSION
        ? `unknown signature version ${version}`
        : seq !== expectedSeq
          ? `sequence number ${seq} where ${expectedSeq} was expected (replayed, reordered or lost message)`
          : 'checksum mismatch (message altered or wrong key)';
    throw new NtlmSignatureError(`NTLM message signature check failed: ${reason}.`);
  }

  #usable(): void {
    if (this.#broken) throw new NtlmSignatureError('NTLM session is unusable after a failed signature check; re-authenticate.');
  }
}

/**
 * Session security for an established context. Only extended session security is implemented: it is
 * what every NTLMv2 peer negotiates and what our contexts insist on.
 */
export function createNtlmSession(exportedSessionKey: Uint8Array, negotiatedFlags: number, role: NtlmRole): NtlmSession {
  if (exportedSessionKey.length !== 16) throw new NtlmError(`Exported session key must be 16 bytes, got ${exportedSessionKey.length}.`);
  if (!hasFlag(negotiatedFlags, NegotiateFlags.EXTENDED_SESSIONSECURITY)) {
    throw new NtlmError('NTLM session security without NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY is not supported.');
  }
  return new ExtendedSessionSecurity(exportedSessionKey, negotiatedFlags, role);
}
