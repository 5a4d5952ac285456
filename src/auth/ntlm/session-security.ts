/**
 * NTLM session security with extended session security (MS-NLMP 3.4): per-direction signing and
 * sealing keys, one RC4 handle per direction that lives as long as the session (connection-oriented,
 * never re-keyed), and a sequence number per direction.
 */
import { NtlmError, NtlmSignatureError } from '../../errors.js';
import { NegotiateFlags, hasFlag } from './flags.js';
import { ascii, bytesEqual, uninitialisedBytes, view } from './bytes.js';
import { md5 } from './ntlmv2.js';
import { Rc4 } from './rc4.js';
import { OneShotHmac } from '../one-shot-hmac.js';

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
  /**
   * Decrypt `data` into `out` (default: `data` itself, in place) and verify it against
   * `signature`; returns `out`. A separate `out` leaves `data` (e.g. a received body) untouched.
   */
  unseal(data: Uint8Array, signature: Uint8Array, out?: Uint8Array): Uint8Array;
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
  /** HMAC_MD5 under SigningKey (3.4.4.2), its padded keys computed once. */
  readonly #mac: OneShotHmac;
  readonly #rc4: Rc4;
  readonly #keyExchange: boolean;
  /** SeqNum as the MAC input wants it, rewritten per message. */
  readonly #seq = Buffer.alloc(4);
  seqNum = 0;

  constructor(exportedSessionKey: Uint8Array, flags: number, direction: Direction) {
    this.#mac = new OneShotHmac('md5', signingKey(exportedSessionKey, direction));
    this.#rc4 = new Rc4(sealingKey(exportedSessionKey, flags, direction));
    this.#keyExchange = hasFlag(flags, NegotiateFlags.KEY_EXCH);
  }

  /** RC4 over `data`, written to `out` (which may be `data`): the data takes its keystream first. */
  crypt(data: Uint8Array, out: Uint8Array): Uint8Array {
    this.#rc4.cryptRange(data, out, 0, data.length);
    return out;
  }

  /**
   * NTLMSSP_MESSAGE_SIGNATURE (2.2.2.9.1) with the checksum still in clear: Version,
   * HMAC_MD5(SigningKey, SeqNum ‖ Message)[0..7], SeqNum (3.4.4.2). Encrypting the checksum
   * (sealChecksum) is separate, because the data takes its keystream first.
   */
  signature(message: Uint8Array, seqNum: number): Uint8Array {
    const signature = new Uint8Array(SIGNATURE_LENGTH);
    writeUint32le(signature, 0, SIGNATURE_VERSION);
    writeUint32le(signature, 12, seqNum);
    this.#seq.writeUInt32LE(seqNum >>> 0, 0);
    const mac = this.#mac.digest(this.#seq, message);
    for (let k = 0; k < CHECKSUM_LENGTH; k++) signature[CHECKSUM_AT + k] = mac[k]!;
    return signature;
  }

  /** RC4-encrypt the checksum of `signature` in place with the sealing handle when KEY_EXCH was negotiated. */
  sealChecksum(signature: Uint8Array): Uint8Array {
    if (this.#keyExchange) this.#rc4.cryptRange(signature, signature, CHECKSUM_AT, CHECKSUM_AT + CHECKSUM_LENGTH);
    return signature;
  }

  /** MAC with extended session security (3.4.4.2). */
  mac(message: Uint8Array, seqNum: number): Uint8Array {
    return this.sealChecksum(this.signature(message, seqNum));
  }
}

// Where the checksum sits in NTLMSSP_MESSAGE_SIGNATURE (2.2.2.9.1): after the 4-byte Version.
const CHECKSUM_AT = 4;
const CHECKSUM_LENGTH = 8;

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
        const signature = this.#out.signature(data, this.#out.seqNum++);
        this.#out.crypt(data, data);
        return this.#out.sealChecksum(signature);
      },
      unseal: (data, signature, out = data) => {
        this.#usable();
        this.#checkShape(signature);
        this.#in.crypt(data, out);
        this.#check(out, signature);
        return out;
      },
    };
  }

  seal(plaintext: Uint8Array): { signature: Uint8Array; sealed: Uint8Array } {
    this.#usable();
    // SEAL (3.4.3): the data takes the keystream first, then the checksum.
    const sealed = this.#out.crypt(plaintext, uninitialisedBytes(plaintext.length));
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
    const plaintext = this.#in.crypt(sealed, uninitialisedBytes(sealed.length));
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
