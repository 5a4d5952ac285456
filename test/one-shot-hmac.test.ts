/**
 * OneShotHmac (src/auth/one-shot-hmac.ts) against node:crypto's createHmac: both algorithms, keys
 * shorter than, equal to and longer than the 64-byte block (RFC 2104 2 hashes a longer key first),
 * texts in one or two parts on both sides of the 64-byte block and of the 16 KB scratch.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { OneShotHmac, type OneShotHmacAlgorithm } from '../src/auth/one-shot-hmac.js';

const bytes = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 131 + seed * 7 + 1) & 0xff));

test('OneShotHmac gives createHmac\'s digest for every key length, text size and split', () => {
  for (const algorithm of ['md5', 'sha1'] as const satisfies readonly OneShotHmacAlgorithm[]) {
    for (const keyLength of [1, 16, 32, 63, 64, 65, 100, 200]) {
      const key = bytes(keyLength, keyLength);
      const h = new OneShotHmac(algorithm, new Uint8Array(key));
      for (const size of [0, 1, 55, 56, 63, 64, 65, 1400, 3563, 16_380, 16_384, 16_385, 70_000, 3]) {
        const text = bytes(size, size);
        const expected = createHmac(algorithm, key).update(text).digest('hex');
        assert.equal(h.digest(text).toString('hex'), expected, `${algorithm}, ${keyLength}-byte key, ${size} bytes`);
        // In two parts, as NTLM passes SeqNum and the message; the split must not matter.
        const cut = Math.min(4, size);
        assert.equal(h.digest(text.subarray(0, cut), new Uint8Array(text.subarray(cut))).toString('hex'), expected, `${algorithm}, ${keyLength}-byte key, ${size} bytes in two parts`);
      }
    }
  }
});

test('Keys are independent: interleaved digests under different keys share the scratch without mixing', () => {
  const a = new OneShotHmac('md5', bytes(16, 1));
  const b = new OneShotHmac('sha1', bytes(32, 2));
  for (let i = 0; i < 5; i++) {
    const text = bytes(100 * i, i);
    assert.equal(a.digest(text).toString('hex'), createHmac('md5', bytes(16, 1)).update(text).digest('hex'));
    assert.equal(b.digest(text).toString('hex'), createHmac('sha1', bytes(32, 2)).update(text).digest('hex'));
  }
});

test('The key is copied: changing the caller\'s key buffer afterwards changes nothing', () => {
  const key = bytes(100, 9);
  const h = new OneShotHmac('sha1', key);
  const expected = createHmac('sha1', bytes(100, 9)).update(bytes(20_000, 1)).digest('hex');
  key.fill(0);
  assert.equal(h.digest(bytes(20_000, 1)).toString('hex'), expected, 'the createHmac path (text over the scratch)');
  assert.equal(h.digest(bytes(10, 1)).toString('hex'), createHmac('sha1', bytes(100, 9)).update(bytes(10, 1)).digest('hex'), 'the one-shot path');
});
