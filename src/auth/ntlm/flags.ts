/**
 * NEGOTIATE flags (MS-NLMP 2.2.2.5). Bit values as the spec lists them from the high bit down:
 * W=56, V=KEY_EXCH, U=128, ... A=UNICODE.
 */
export const NegotiateFlags = {
  UNICODE: 0x00000001,
  OEM: 0x00000002,
  REQUEST_TARGET: 0x00000004,
  SIGN: 0x00000010,
  SEAL: 0x00000020,
  DATAGRAM: 0x00000040,
  LM_KEY: 0x00000080,
  NTLM: 0x00000200,
  ANONYMOUS: 0x00000800,
  OEM_DOMAIN_SUPPLIED: 0x00001000,
  OEM_WORKSTATION_SUPPLIED: 0x00002000,
  ALWAYS_SIGN: 0x00008000,
  TARGET_TYPE_DOMAIN: 0x00010000,
  TARGET_TYPE_SERVER: 0x00020000,
  EXTENDED_SESSIONSECURITY: 0x00080000,
  IDENTIFY: 0x00100000,
  NON_NT_SESSION_KEY: 0x00400000,
  TARGET_INFO: 0x00800000,
  VERSION: 0x02000000,
  NEGOTIATE_128: 0x20000000,
  KEY_EXCH: 0x40000000,
  NEGOTIATE_56: 0x80000000,
} as const;

export type NegotiateFlagName = keyof typeof NegotiateFlags;

export function hasFlag(flags: number, flag: number): boolean {
  return ((flags & flag) >>> 0) === flag >>> 0;
}

/** Combine flags as an unsigned 32-bit value (bitwise OR in JS yields a signed int). */
export function combineFlags(...flags: readonly number[]): number {
  return flags.reduce((acc, f) => (acc | f) >>> 0, 0);
}

/** Names of the set bits, for error messages and debugging. */
export function describeFlags(flags: number): NegotiateFlagName[] {
  return (Object.entries(NegotiateFlags) as [NegotiateFlagName, number][])
    .filter(([, bit]) => hasFlag(flags, bit))
    .map(([name]) => name);
}

/**
 * What our initiator asks for: NTLMv2 with extended session security, 128-bit keys, signing and
 * sealing (WinRM message encryption), a fresh exported session key (KEY_EXCH), and target info.
 */
export const CLIENT_NEGOTIATE_FLAGS = combineFlags(
  NegotiateFlags.UNICODE,
  NegotiateFlags.REQUEST_TARGET,
  NegotiateFlags.SIGN,
  NegotiateFlags.SEAL,
  NegotiateFlags.NTLM,
  NegotiateFlags.ALWAYS_SIGN,
  NegotiateFlags.EXTENDED_SESSIONSECURITY,
  NegotiateFlags.TARGET_INFO,
  NegotiateFlags.VERSION,
  NegotiateFlags.NEGOTIATE_128,
  NegotiateFlags.KEY_EXCH,
  NegotiateFlags.NEGOTIATE_56,
);
