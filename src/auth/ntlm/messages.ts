/**
 * NTLM wire messages (MS-NLMP 2.2.1): NEGOTIATE, CHALLENGE and AUTHENTICATE, plus the AV_PAIR list
 * carried in TargetInfo (2.2.2.1) and the VERSION structure (2.2.2.10). Pure codecs: no policy here.
 *
 * Every variable-length field is a (Len u16, MaxLen u16, BufferOffset u32) triple in the fixed header
 * pointing into the payload that follows it.
 */
import { NtlmError } from '../../errors.js';
import { NegotiateFlags, hasFlag } from './flags.js';
import { ascii, concatBytes, decodeOem, decodeUtf16le, oem, utf16le, view } from './bytes.js';

/** "NTLMSSP\0" (2.2.1.1). */
export const NTLMSSP_SIGNATURE: Uint8Array = ascii('NTLMSSP\0');

export const MessageType = { NEGOTIATE: 1, CHALLENGE: 2, AUTHENTICATE: 3 } as const;

// Fixed header sizes, each including the 8-byte Version field that follows the flags.
const NEGOTIATE_HEADER = 40; // 2.2.1.1
const CHALLENGE_HEADER = 56; // 2.2.1.2
const AUTHENTICATE_HEADER = 72; // 2.2.1.3, without MIC
/** Where the 16-byte MIC sits in an AUTHENTICATE_MESSAGE that carries one (2.2.1.3). */
export const MIC_OFFSET = 72;
const MIC_LENGTH = 16;

/** AV_PAIR AvId values (2.2.2.1). */
export const AvId = {
  EOL: 0x0000,
  NB_COMPUTER_NAME: 0x0001,
  NB_DOMAIN_NAME: 0x0002,
  DNS_COMPUTER_NAME: 0x0003,
  DNS_DOMAIN_NAME: 0x0004,
  DNS_TREE_NAME: 0x0005,
  FLAGS: 0x0006,
  TIMESTAMP: 0x0007,
  SINGLE_HOST: 0x0008,
  TARGET_NAME: 0x0009,
  CHANNEL_BINDINGS: 0x000a,
} as const;

/** Bits of the MsvAvFlags value (2.2.2.1). */
export const AvFlags = {
  CONSTRAINED: 0x00000001,
  MIC_PRESENT: 0x00000002,
  UNTRUSTED_SPN: 0x00000004,
} as const;

export interface AvPair {
  readonly id: number;
  readonly value: Uint8Array;
}

/** NTLM VERSION structure (2.2.2.10): OS version for debugging; NTLMRevisionCurrent is always 0x0F. */
export interface NtlmVersion {
  readonly major: number;
  readonly minor: number;
  readonly build: number;
  readonly revision: number;
}

export const NTLMSSP_REVISION_W2K3 = 0x0f;

export interface NegotiateMessage {
  readonly flags: number;
  /** OEM-encoded; only sent with OEM_DOMAIN_SUPPLIED. */
  readonly domain?: string;
  /** OEM-encoded; only sent with OEM_WORKSTATION_SUPPLIED. */
  readonly workstation?: string;
  readonly version?: NtlmVersion;
}

export interface ChallengeMessage {
  readonly flags: number;
  readonly serverChallenge: Uint8Array;
  readonly targetName: string;
  /** The AV pairs without the terminating MsvAvEOL. */
  readonly targetInfo: readonly AvPair[];
  readonly version?: NtlmVersion;
}

export interface AuthenticateMessage {
  readonly flags: number;
  readonly lmChallengeResponse: Uint8Array;
  readonly ntChallengeResponse: Uint8Array;
  readonly domain: string;
  readonly user: string;
  readonly workstation: string;
  readonly encryptedRandomSessionKey: Uint8Array;
  readonly version?: NtlmVersion;
  /** Present only when the message reserves the MIC field (payload starts at or after offset 88). */
  readonly mic?: Uint8Array;
}

// ---------------------------------------------------------------------------------------------
// AV pairs (2.2.2.1)

export function encodeAvPairs(pairs: readonly AvPair[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const pair of pairs) {
    if (pair.id === AvId.EOL) continue; // the terminator is written once, below
    const head = new Uint8Array(4);
    view(head).setUint16(0, pair.id, true);
    view(head).setUint16(2, pair.value.length, true);
    parts.push(head, pair.value);
  }
  parts.push(new Uint8Array(4)); // MsvAvEOL, length 0
  return concatBytes(...parts);
}

export function decodeAvPairs(bytes: Uint8Array): AvPair[] {
  const pairs: AvPair[] = [];
  const dv = view(bytes);
  let at = 0;
  while (at + 4 <= bytes.length) {
    const id = dv.getUint16(at, true);
    const len = dv.getUint16(at + 2, true);
    if (id === AvId.EOL) return pairs;
    if (at + 4 + len > bytes.length) throw new NtlmError(`Malformed AV_PAIR list: pair 0x${id.toString(16)} runs past the end of TargetInfo.`);
    pairs.push({ id, value: bytes.slice(at + 4, at + 4 + len) });
    at += 4 + len;
  }
  throw new NtlmError('Malformed AV_PAIR list: no MsvAvEOL terminator.');
}

export function findAvPair(pairs: readonly AvPair[], id: number): AvPair | undefined {
  return pairs.find((p) => p.id === id);
}

export function avPairString(pairs: readonly AvPair[], id: number): string | undefined {
  const pair = findAvPair(pairs, id);
  return pair === undefined ? undefined : decodeUtf16le(pair.value);
}

/** MsvAvFlags value, 0 when absent. */
export function avFlags(pairs: readonly AvPair[]): number {
  const pair = findAvPair(pairs, AvId.FLAGS);
  if (pair === undefined) return 0;
  if (pair.value.length !== 4) throw new NtlmError(`MsvAvFlags must be 4 bytes, got ${pair.value.length}.`);
  return view(pair.value).getUint32(0, true);
}

export function avStringPair(id: number, text: string): AvPair {
  return { id, value: utf16le(text) };
}

// ---------------------------------------------------------------------------------------------
// Shared field helpers

function encodeVersion(version: NtlmVersion | undefined): Uint8Array {
  const out = new Uint8Array(8);
  if (version === undefined) return out;
  const dv = view(out);
  dv.setUint8(0, version.major);
  dv.setUint8(1, version.minor);
  dv.setUint16(2, version.build, true);
  dv.setUint8(7, version.revision); // bytes 4..6 reserved
  return out;
}

function decodeVersion(bytes: Uint8Array, at: number): NtlmVersion {
  const dv = view(bytes);
  return { major: dv.getUint8(at), minor: dv.getUint8(at + 1), build: dv.getUint16(at + 2, true), revision: dv.getUint8(at + 7) };
}

/** Lays out payload buffers after a fixed header and fills in their (Len, MaxLen, Offset) triples. */
class PayloadWriter {
  readonly header: Uint8Array;
  readonly #parts: Uint8Array[] = [];
  #offset: number;

  constructor(headerSize: number) {
    this.header = new Uint8Array(headerSize);
    this.#offset = headerSize;
  }

  field(at: number, data: Uint8Array): void {
    if (data.length > 0xffff) throw new NtlmError(`NTLM field of ${data.length} bytes exceeds 65535.`);
    const dv = view(this.header);
    dv.setUint16(at, data.length, true);
    dv.setUint16(at + 2, data.length, true);
    dv.setUint32(at + 4, this.#offset, true);
    this.#parts.push(data);
    this.#offset += data.length;
  }

  finish(): Uint8Array {
    return concatBytes(this.header, ...this.#parts);
  }
}

interface FieldRef {
  readonly length: number;
  readonly offset: number;
}

function fieldRef(bytes: Uint8Array, at: number, name: string): FieldRef {
  const dv = view(bytes);
  const length = dv.getUint16(at, true);
  const offset = dv.getUint32(at + 4, true);
  if (length > 0 && offset + length > bytes.length) {
    throw new NtlmError(`Malformed NTLM message: ${name} (offset ${offset}, length ${length}) runs past the end of the ${bytes.length}-byte message.`);
  }
  return { length, offset };
}

function fieldBytes(bytes: Uint8Array, ref: FieldRef): Uint8Array {
  return bytes.slice(ref.offset, ref.offset + ref.length);
}

function checkHeader(bytes: Uint8Array, type: number, minLength: number, name: string): void {
  if (bytes.length < minLength) throw new NtlmError(`Malformed ${name}: ${bytes.length} bytes is shorter than its ${minLength}-byte header.`);
  for (let i = 0; i < NTLMSSP_SIGNATURE.length; i++) {
    if (bytes[i] !== NTLMSSP_SIGNATURE[i]) throw new NtlmError(`Malformed ${name}: missing the NTLMSSP signature.`);
  }
  const actual = view(bytes).getUint32(8, true);
  if (actual !== type) throw new NtlmError(`Expected an NTLM ${name} (type ${type}) but got message type ${actual}.`);
}

function messageStart(type: number, writer: PayloadWriter): DataView {
  writer.header.set(NTLMSSP_SIGNATURE, 0);
  const dv = view(writer.header);
  dv.setUint32(8, type, true);
  return dv;
}

/** Strings in CHALLENGE/AUTHENTICATE follow the negotiated character set (2.2.2.5 flag A vs B). */
function encodeText(flags: number, text: string): Uint8Array {
  return hasFlag(flags, NegotiateFlags.UNICODE) ? utf16le(text) : oem(text);
}

function decodeText(flags: number, bytes: Uint8Array): string {
  return hasFlag(flags, NegotiateFlags.UNICODE) ? decodeUtf16le(bytes) : decodeOem(bytes);
}

// ---------------------------------------------------------------------------------------------
// NEGOTIATE_MESSAGE (2.2.1.1)

export function encodeNegotiate(msg: NegotiateMessage): Uint8Array {
  const w = new PayloadWriter(NEGOTIATE_HEADER);
  const dv = messageStart(MessageType.NEGOTIATE, w);
  dv.setUint32(12, msg.flags >>> 0, true);
  w.field(16, oem(msg.domain ?? ''));
  w.field(24, oem(msg.workstation ?? ''));
  w.header.set(encodeVersion(msg.version), 32);
  return w.finish();
}

export function decodeNegotiate(bytes: Uint8Array): NegotiateMessage {
  checkHeader(bytes, MessageType.NEGOTIATE, 16, 'NEGOTIATE_MESSAGE');
  const flags = view(bytes).getUint32(12, true);
  if (bytes.length < 32) return { flags }; // early NTLM clients stop after the flags
  const domain = decodeOem(fieldBytes(bytes, fieldRef(bytes, 16, 'DomainName')));
  const workstation = decodeOem(fieldBytes(bytes, fieldRef(bytes, 24, 'Workstation')));
  const version = hasFlag(flags, NegotiateFlags.VERSION) && bytes.length >= NEGOTIATE_HEADER ? decodeVersion(bytes, 32) : undefined;
  return { flags, domain, workstation, ...(version ? { version } : {}) };
}

// ---------------------------------------------------------------------------------------------
// CHALLENGE_MESSAGE (2.2.1.2)

export function encodeChallenge(msg: ChallengeMessage): Uint8Array {
  if (msg.serverChallenge.length !== 8) throw new NtlmError('ServerChallenge must be 8 bytes.');
  const w = new PayloadWriter(CHALLENGE_HEADER);
  const dv = messageStart(MessageType.CHALLENGE, w);
  w.field(12, encodeText(msg.flags, msg.targetName));
  dv.setUint32(20, msg.flags >>> 0, true);
  w.header.set(msg.serverChallenge, 24);
  // bytes 32..39 Reserved
  w.field(40, msg.targetInfo.length > 0 ? encodeAvPairs(msg.targetInfo) : new Uint8Array(0));
  w.header.set(encodeVersion(msg.version), 48);
  return w.finish();
}

export function decodeChallenge(bytes: Uint8Array): ChallengeMessage {
  checkHeader(bytes, MessageType.CHALLENGE, 48, 'CHALLENGE_MESSAGE');
  const dv = view(bytes);
  const flags = dv.getUint32(20, true);
  const targetName = decodeText(flags, fieldBytes(bytes, fieldRef(bytes, 12, 'TargetName')));
  const serverChallenge = bytes.slice(24, 32);
  const infoRef = fieldRef(bytes, 40, 'TargetInfo');
  const targetInfo = infoRef.length > 0 ? decodeAvPairs(fieldBytes(bytes, infoRef)) : [];
  const version = hasFlag(flags, NegotiateFlags.VERSION) && bytes.length >= CHALLENGE_HEADER ? decodeVersion(bytes, 48) : undefined;
  return { flags, serverChallenge, targetName, targetInfo, ...(version ? { version } : {}) };
}

// ---------------------------------------------------------------------------------------------
// AUTHENTICATE_MESSAGE (2.2.1.3)

export function encodeAuthenticate(msg: AuthenticateMessage): Uint8Array {
  if (msg.mic !== undefined && msg.mic.length !== MIC_LENGTH) throw new NtlmError('MIC must be 16 bytes.');
  const w = new PayloadWriter(msg.mic === undefined ? AUTHENTICATE_HEADER : AUTHENTICATE_HEADER + MIC_LENGTH);
  const dv = messageStart(MessageType.AUTHENTICATE, w);
  // Header field order differs from payload order; the payload follows Windows: names first.
  const lm = msg.lmChallengeResponse;
  const nt = msg.ntChallengeResponse;
  w.field(28, encodeText(msg.flags, msg.domain));
  w.field(36, encodeText(msg.flags, msg.user));
  w.field(44, encodeText(msg.flags, msg.workstation));
  w.field(12, lm);
  w.field(20, nt);
  w.field(52, msg.encryptedRandomSessionKey);
  dv.setUint32(60, msg.flags >>> 0, true);
  w.header.set(encodeVersion(msg.version), 64);
  if (msg.mic !== undefined) w.header.set(msg.mic, MIC_OFFSET);
  return w.finish();
}

export function decodeAuthenticate(bytes: Uint8Array): AuthenticateMessage {
  checkHeader(bytes, MessageType.AUTHENTICATE, 64, 'AUTHENTICATE_MESSAGE');
  const flags = view(bytes).getUint32(60, true);
  const refs = {
    lm: fieldRef(bytes, 12, 'LmChallengeResponse'),
    nt: fieldRef(bytes, 20, 'NtChallengeResponse'),
    domain: fieldRef(bytes, 28, 'DomainName'),
    user: fieldRef(bytes, 36, 'UserName'),
    workstation: fieldRef(bytes, 44, 'Workstation'),
    key: fieldRef(bytes, 52, 'EncryptedRandomSessionKey'),
  };
  // Version and MIC are only there if the payload leaves room for them before its first buffer.
  const payloadStart = Math.min(bytes.length, ...Object.values(refs).filter((r) => r.length > 0).map((r) => r.offset));
  const version = payloadStart >= AUTHENTICATE_HEADER ? decodeVersion(bytes, 64) : undefined;
  const mic = payloadStart >= MIC_OFFSET + MIC_LENGTH ? bytes.slice(MIC_OFFSET, MIC_OFFSET + MIC_LENGTH) : undefined;
  return {
    flags,
    lmChallengeResponse: fieldBytes(bytes, refs.lm),
    ntChallengeResponse: fieldBytes(bytes, refs.nt),
    domain: decodeText(flags, fieldBytes(bytes, refs.domain)),
    user: decodeText(flags, fieldBytes(bytes, refs.user)),
    workstation: decodeText(flags, fieldBytes(bytes, refs.workstation)),
    encryptedRandomSessionKey: fieldBytes(bytes, refs.key),
    ...(version && hasFlag(flags, NegotiateFlags.VERSION) ? { version } : {}),
    ...(mic ? { mic } : {}),
  };
}

/** A copy of an AUTHENTICATE_MESSAGE with its MIC field zeroed, as the MIC is computed over (3.1.5.1.2). */
export function withZeroedMic(authenticate: Uint8Array): Uint8Array {
  const copy = authenticate.slice();
  copy.fill(0, MIC_OFFSET, MIC_OFFSET + MIC_LENGTH);
  return copy;
}
