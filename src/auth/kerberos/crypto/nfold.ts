/**
 * n-fold (RFC 3961 5.1): stretch or shrink a byte string to n bits. Replicate the input to
 * lcm(n, |X|) bits, each copy rotated right 13 bits more than the previous, then add the n-bit
 * chunks with ones'-complement (end-around carry) addition. BigInt keeps this a literal reading of
 * the definition; inputs are short constants, so speed does not matter.
 */

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

export function nfold(input: Uint8Array, outBits: number): Buffer {
  if (input.length === 0 || outBits % 8 !== 0 || outBits <= 0) throw new RangeError('n-fold needs a non-empty input and a whole number of output bytes');
  const k = input.length * 8;
  const lcm = (k * outBits) / gcd(k, outBits);
  const kMask = (1n << BigInt(k)) - 1n;
  const x = toBigInt(input);
  const rotr = (v: bigint, r: number): bigint => {
    const s = BigInt(r % k);
    return ((v >> s) | (v << (BigInt(k) - s))) & kMask;
  };
  // Copies left to right: copy j is X rotated right by 13*j bits.
  let all = 0n;
  for (let j = 0; j < lcm / k; j++) all = (all << BigInt(k)) | rotr(x, 13 * j);
  const nMask = (1n << BigInt(outBits)) - 1n;
  let sum = 0n;
  for (let j = 0; j < lcm / outBits; j++) {
    sum += (all >> BigInt(j * outBits)) & nMask;
    while (sum > nMask) sum = (sum & nMask) + (sum >> BigInt(outBits));
  }
  return Buffer.from(sum.toString(16).padStart(outBits / 4, '0'), 'hex');
}
