// "Bad input never crashes", NTLM and message-encryption half: the three NTLM message decoders,
// both handshake contexts fed a mutated peer message, and decryptMessage with mutated bodies and
// Content-Types. Seeds are real messages from a handshake between our own client and server
// (deterministic randomness, so every run sees the same bytes). Mutations: bit flips, truncation,
// splices, header field triples (Len/MaxLen/Offset) set to edge values, flag flips, random AV_PAIR
// lists. Invariant: a value or an NtlmError (MessageEncryptionError / NtlmSignatureError for
// decryption), never a RangeError from a DataView or a TypeError. See test/helpers/fuzz.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageEncryptionError, NtlmError, NtlmSignatureError, type HypervWsmanError } from '../src/errors.js';
import {
  AvFlags,
  AvId,
  NegotiateFlags,
  NtlmAuthenticationRejected,
  NtlmClientContext,
  NtlmServerContext,
  computeMic,
  hasFlag,
  rc4k,
  sessionBaseKey,
  decodeAuthenticate,
  decodeChallenge,
  decodeNegotiate,
  encodeAuthenticate,
  encodeAvPairs,
  encodeChallenge,
  encodeNegotiate,
  createNtlmSession,
  ntProofStr,
  ntlmv2ClientChallenge,
  ntowfv2,
  filetime,
  type AvPair,
} from '../src/auth/ntlm/index.js';
import { ENCRYPTED_CONTENT_TYPE, decryptMessage, encryptMessage } from '../src/auth/message-encryption.js';
import { FuzzLog, Rng, excerpt, fuzzCases, fuzzSeed, mutateBytes, mutateText } from './helpers/fuzz.js';

const USER = 'HYPERV\\admin';
const PASSWORD = 'S3cret!';
const lookupPassword = (user: string, domain: string): string | undefined => (user.toLowerCase() === 'admin' && domain.toUpperCase() === 'HYPERV' ? PASSWORD : undefined);
const NOW = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));

const isNtlm = (e: HypervWsmanError): boolean => e instanceof NtlmError;
const isDecryptError = (e: HypervWsmanError): boolean => e instanceof MessageEncryptionError || e instanceof NtlmSignatureError;

/** Deterministic randomness for the contexts, drawn from the case's own PRNG. */
const randomFrom = (rng: Rng) => (n: number): Uint8Array => rng.bytes(n);

interface Handshake {
  readonly client: NtlmClientContext;
  readonly server: NtlmServerContext;
  readonly negotiate: Uint8Array;
  readonly challenge: Uint8Array;
}

function startHandshake(rng: Rng): Handshake {
  const client = new NtlmClientContext({ user: USER, password: PASSWORD }, { randomBytes: randomFrom(rng), now: () => NOW, workstation: 'WS01' });
  const server = new NtlmServerContext({ lookupPassword, targetName: 'HYPERV', computerName: 'HV01', randomBytes: randomFrom(rng), now: () => NOW });
  const negotiate = client.createNegotiate();
  const challenge = server.createChallenge(negotiate);
  return { client, server, negotiate, challenge };
}

/** Where each message keeps its (Len u16, MaxLen u16, Offset u32) field triples and its flags (MS-NLMP 2.2.1). */
const LAYOUT = {
  negotiate: { fields: [16, 24], flags: 12 },
  challenge: { fields: [12, 40], flags: 20 },
  authenticate: { fields: [12, 20, 28, 36, 44, 52], flags: 60 },
} as const;

/** Structure-aware mutations: a field triple pointing at edge values, flags flipped, or plain byte mutations. */
function mutateMessage(rng: Rng, msg: Uint8Array, layout: { readonly fields: readonly number[]; readonly flags: number }): { bytes: Uint8Array; ops: string[] } {
  const kind = rng.int(4);
  if (kind === 0) return mutateBytes(rng, msg);
  const b = Uint8Array.from(msg);
  const dv = new DataView(b.buffer);
  const ops: string[] = [];
  for (let n = 1 + rng.int(3); n > 0; n--) {
    if (kind === 1 || rng.chance(0.5)) {
      const at = rng.pick(layout.fields);
      if (at + 8 > b.length) continue;
      const len = rng.pick([0, 1, 2, 3, 0xffff, 0x8000, dv.getUint16(at, true) + 1, Math.max(0, dv.getUint16(at, true) - 1), b.length]);
      const offset = rng.pick([0, 1, 8, 0x7fffffff, 0xffffffff, b.length, b.length - 1, Math.max(0, b.length - len), dv.getUint32(at + 4, true) + 1, 0x10000]);
      dv.setUint16(at, len & 0xffff, true);
      dv.setUint16(at + 2, rng.chance(0.5) ? len & 0xffff : rng.int(0x10000), true);
      dv.setUint32(at + 4, offset >>> 0, true);
      ops.push(`field@${at}=${len}/${offset}`);
    } else if (layout.flags + 4 <= b.length) {
      const bit = rng.pick(Object.values(NegotiateFlags));
      dv.setUint32(layout.flags, (dv.getUint32(layout.flags, true) ^ bit) >>> 0, true);
      ops.push(`flags^${bit.toString(16)}`);
    }
  }
  return { bytes: b, ops };
}

/** An AV_PAIR list with random ids, lengths the ids do not expect, duplicates, and sometimes no EOL. */
function randomAvPairs(rng: Rng, keepNames: boolean, micFlag = false): Uint8Array {
  const pairs: AvPair[] = [];
  if (keepNames) {
    pairs.push({ id: AvId.NB_DOMAIN_NAME, value: new Uint8Array(Buffer.from('HYPERV', 'utf16le')) });
    pairs.push({ id: AvId.NB_COMPUTER_NAME, value: new Uint8Array(Buffer.from('HV01', 'utf16le')) });
  }
  if (micFlag) pairs.push({ id: AvId.FLAGS, value: Uint8Array.of(AvFlags.MIC_PRESENT, 0, 0, 0) });
  for (let n = rng.int(6); n > 0; n--) {
    const id = rng.pick([AvId.FLAGS, AvId.TIMESTAMP, AvId.CHANNEL_BINDINGS, AvId.TARGET_NAME, AvId.SINGLE_HOST, AvId.DNS_COMPUTER_NAME, 0x7fff, 0xffff]);
    const len = rng.pick([0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 48, 300]);
    pairs.push({ id, value: rng.bytes(len) });
  }
  const encoded = encodeAvPairs(pairs);
  // Drop the EOL terminator, or cut inside a pair, some of the time.
  return rng.chance(0.2) ? encoded.slice(0, Math.max(0, encoded.length - 4 - rng.int(6))) : encoded;
}

function assertClean(log: FuzzLog, minCases: number, name = 'ntlm'): void {
  if (process.env.FUZZ_STATS) console.log(log.stats(name));
  assert.ok(log.cases >= minCases, `expected at least ${minCases} cases, ran ${log.cases}`);
  assert.equal(log.failures.length, 0, `${log.failures.length} of ${log.cases} cases broke the invariant:\n${log.report()}`);
}

const hex = (b: Uint8Array): string => excerpt(Buffer.from(b).toString('hex'), 240);

describe('fuzz: NTLM message decoders', () => {
  const rng0 = new Rng(fuzzSeed(0x4e544c4d));
  const seed = startHandshake(rng0);
  const authenticate = seed.client.createAuthenticate(seed.challenge);
  const messages = [
    { name: 'negotiate', bytes: seed.negotiate, decode: decodeNegotiate, layout: LAYOUT.negotiate },
    { name: 'challenge', bytes: seed.challenge, decode: decodeChallenge, layout: LAYOUT.challenge },
    { name: 'authenticate', bytes: authenticate, decode: decodeAuthenticate, layout: LAYOUT.authenticate },
  ] as const;

  test('each decoder on 600 mutants of every real message (and of the others): a message or NtlmError', () => {
    const log = new FuzzLog();
    for (const [m, msg] of messages.entries()) {
      const rng = new Rng(fuzzSeed(0xdec0de00 + m));
      for (let i = 0; i < fuzzCases(600); i++) {
        const { bytes, ops } = mutateMessage(rng, rng.chance(0.9) ? msg.bytes : rng.pick(messages).bytes, msg.layout);
        log.run(
          `${msg.name} #${i} [${ops.join(',')}] ${hex(bytes)}`,
          () => {
            const decoded = msg.decode(bytes);
            // What decoded can be written again, or is refused with NtlmError (e.g. a field > 65535).
            if (msg.name === 'negotiate') encodeNegotiate(decoded as ReturnType<typeof decodeNegotiate>);
            if (msg.name === 'challenge') encodeChallenge(decoded as ReturnType<typeof decodeChallenge>);
            if (msg.name === 'authenticate') encodeAuthenticate(decoded as ReturnType<typeof decodeAuthenticate>);
          },
          isNtlm,
        );
      }
    }
    assertClean(log, 1800);
  });

  test('every length from 0 to 120 of each message, and of random bytes behind a valid signature and type', () => {
    const log = new FuzzLog();
    const rng = new Rng(fuzzSeed(0x1e9e7000));
    for (const msg of messages) {
      for (let n = 0; n <= 120; n++) {
        log.run(`${msg.name} cut at ${n}`, () => msg.decode(msg.bytes.slice(0, n)), isNtlm);
        const junk = rng.bytes(n);
        junk.set(msg.bytes.subarray(0, Math.min(12, n)));
        log.run(`${msg.name} junk ${n} ${hex(junk)}`, () => msg.decode(junk), isNtlm);
      }
    }
    assertClean(log, 700);
  });
});

describe('fuzz: NTLM handshake contexts', () => {
  test('NtlmClientContext.createAuthenticate with 500 mutated CHALLENGEs (incl. random TargetInfo): an AUTHENTICATE or NtlmError', () => {
    const log = new FuzzLog();
    const rng = new Rng(fuzzSeed(0xc11e0700));
    for (let i = 0; i < fuzzCases(500); i++) {
      const hs = startHandshake(rng);
      let challenge: Uint8Array;
      let ops: string[];
      if (rng.chance(0.35)) {
        // A well-formed CHALLENGE whose TargetInfo is a random AV_PAIR list.
        const parsed = decodeChallenge(hs.challenge);
        const info = randomAvPairs(rng, rng.chance(0.7));
        const base = encodeChallenge({ ...parsed, targetInfo: [] });
        const dv = new DataView(base.buffer, base.byteOffset, base.byteLength);
        dv.setUint16(40, info.length, true);
        dv.setUint16(42, info.length, true);
        dv.setUint32(44, base.length, true);
        challenge = new Uint8Array(Buffer.concat([base, info]));
        ops = ['targetInfo'];
      } else {
        ({ bytes: challenge, ops } = mutateMessage(rng, hs.challenge, LAYOUT.challenge));
      }
      log.run(`challenge #${i} [${ops.join(',')}] ${hex(challenge)}`, () => hs.client.createAuthenticate(challenge), isNtlm);
    }
    assertClean(log, 500);
  });

  test('NtlmServerContext.acceptAuthenticate with 500 mutated AUTHENTICATEs: a session or NtlmError (never a crash)', () => {
    const log = new FuzzLog();
    const rng = new Rng(fuzzSeed(0x5e7e0700));
    for (let i = 0; i < fuzzCases(500); i++) {
      const hs = startHandshake(rng);
      const auth = hs.client.createAuthenticate(hs.challenge);
      const { bytes, ops } = mutateMessage(rng, auth, LAYOUT.authenticate);
      log.run(`authenticate #${i} [${ops.join(',')}] ${hex(bytes)}`, () => hs.server.acceptAuthenticate(bytes), isNtlm);
    }
    assertClean(log, 500);
  });

  test('acceptAuthenticate past the proof check: 400 AUTHENTICATEs with a correct NTProofStr over random AV pairs, keys, MICs and flags', () => {
    const log = new FuzzLog();
    const rng = new Rng(fuzzSeed(0x9a0f0700));
    const reasons = new Map<string, number>();
    for (let i = 0; i < fuzzCases(400); i++) {
      const hs = startHandshake(rng);
      const challenge = decodeChallenge(hs.challenge);
      const responseKey = ntowfv2(PASSWORD, 'admin', 'HYPERV');
      const temp = ntlmv2ClientChallenge(filetime(NOW), rng.bytes(8), randomAvPairs(rng, rng.chance(0.5), rng.chance(0.6)));
      const proof = ntProofStr(responseKey, challenge.serverChallenge, temp);
      const flags = rng.chance(0.7) ? challenge.flags : (challenge.flags ^ rng.pick(Object.values(NegotiateFlags))) >>> 0;
      const encryptedKey = rng.bytes(rng.chance(0.8) ? 16 : rng.pick([0, 15, 17]));
      const fields = {
        flags,
        lmChallengeResponse: new Uint8Array(24),
        ntChallengeResponse: new Uint8Array(Buffer.concat([proof, temp])),
        domain: 'HYPERV',
        user: 'admin',
        workstation: 'WS01',
        encryptedRandomSessionKey: encryptedKey,
      };
      let bytes: Uint8Array;
      if (rng.chance(0.5)) {
        // The MIC the server will compute (3.1.5.1.2), so some cases go all the way to a session.
        const kx = sessionBaseKey(responseKey, proof);
        const exported = hasFlag(flags & challenge.flags, NegotiateFlags.KEY_EXCH) && encryptedKey.length === 16 ? rc4k(kx, encryptedKey) : kx;
        const zeroed = encodeAuthenticate({ ...fields, mic: new Uint8Array(16) });
        bytes = encodeAuthenticate({ ...fields, mic: computeMic(exported, hs.negotiate, hs.challenge, zeroed) });
      } else {
        bytes = encodeAuthenticate({ ...fields, ...(rng.chance(0.8) ? { mic: rng.bytes(16) } : {}) });
      }
      log.run(
        `proofed authenticate #${i} ${hex(bytes)}`,
        () => {
          try {
            hs.server.acceptAuthenticate(bytes);
            reasons.set('accepted', (reasons.get('accepted') ?? 0) + 1);
          } catch (err) {
            const reason = err instanceof NtlmAuthenticationRejected ? err.reason : 'other';
            reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
            throw err;
          }
        },
        isNtlm,
      );
    }
    assertClean(log, 400);
    // The cases really get past the password check: to the MIC, the key exchange and acceptance.
    for (const r of ['accepted', 'bad-mic', 'mic-missing']) assert.ok((reasons.get(r) ?? 0) > 0, `no case ended in ${r}: ${JSON.stringify(Object.fromEntries(reasons))}`);
    assert.equal(reasons.get('bad-password') ?? 0, 0, 'every proof is correct');
  });
});

describe('fuzz: message encryption (decryptMessage)', () => {
  const KEY = new Uint8Array(16).fill(0x55);
  const FLAGS = 0xe28a8231;
  const SOAP = new Uint8Array(Buffer.from('<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>仮想 &amp; x</s:Body></s:Envelope>', 'utf8'));
  const CONTENT_TYPES = [
    ENCRYPTED_CONTENT_TYPE,
    '',
    'multipart/encrypted',
    'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted"',
    'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary=""',
    'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="(a+)+$[\\"',
    'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary',
    'multipart/x-multi-encrypted;protocol="application/HTTP-CredSSP-session-encrypted";boundary="Encrypted Boundary"',
    'MULTIPART/ENCRYPTED; PROTOCOL = "application/http-spnego-session-encrypted" ; BOUNDARY = "Encrypted Boundary"',
    `multipart/encrypted;${'"'.repeat(50_001)}`,
    `multipart/encrypted;${';'.repeat(50_000)}boundary="Encrypted Boundary"`,
    `multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="${'-'.repeat(20_000)}"`,
  ];

  test('1000 mutated bodies and Content-Types: the original SOAP back, or MessageEncryptionError / NtlmSignatureError', () => {
    const log = new FuzzLog();
    const rng = new Rng(fuzzSeed(0xe9c7e000));
    for (let i = 0; i < fuzzCases(1000); i++) {
      const client = createNtlmSession(KEY, FLAGS, 'client');
      const server = createNtlmSession(KEY, FLAGS, 'server');
      const body = encryptMessage(server, SOAP, rng.chance(0.2) ? 'UTF-16' : 'UTF-8');
      let mutated = body;
      let contentType = ENCRYPTED_CONTENT_TYPE;
      const what = rng.int(4);
      let ops: string[] = [];
      if (what === 0) ({ bytes: mutated, ops } = mutateBytes(rng, body));
      else if (what === 1) {
        // Text-level edits of the MIME framing (headers, boundaries, Length=).
        const { text, ops: t } = mutateText(rng, Buffer.from(body).toString('latin1'));
        mutated = new Uint8Array(Buffer.from(text, 'latin1'));
        ops = t;
      } else if (what === 2) {
        contentType = rng.chance(0.5) ? rng.pick(CONTENT_TYPES) : mutateText(rng, ENCRYPTED_CONTENT_TYPE).text;
        ops = ['contentType'];
      } else {
        const latin = Buffer.from(body).toString('latin1');
        const edited = latin.replace(/Length=\d+/, `Length=${rng.pick(['0', '-1', '99999999999999999999', String(SOAP.length + 1), String(SOAP.length - 1), '', '1e3', ' 5'])}`);
        mutated = new Uint8Array(Buffer.from(edited, 'latin1'));
        ops = ['length'];
      }
      log.run(
        `decrypt #${i} [${ops.join(',')}] ct=${excerpt(contentType, 80)} body=${excerpt(mutated, 300)}`,
        () => {
          const plain = decryptMessage(client, mutated, contentType);
          // Anything accepted passed the MAC check, so it is exactly what was sealed.
          assert.deepEqual(plain, SOAP, 'a decrypted body equals the sealed SOAP');
        },
        isDecryptError,
      );
    }
    assertClean(log, 1000);
  });

  test('regression: a Content-Type boundary longer than RFC 2046\'s 70 characters is MessageEncryptionError, not SyntaxError "Regular expression too large"', () => {
    const session = createNtlmSession(KEY, FLAGS, 'client');
    const body = encryptMessage(createNtlmSession(KEY, FLAGS, 'server'), SOAP);
    for (const n of [71, 40_000]) {
      const ct = `multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="${'Encrypted Boundary'.repeat(Math.ceil(n / 18)).slice(0, n)}"`;
      assert.throws(() => decryptMessage(session, body, ct), (e: unknown) => e instanceof MessageEncryptionError && /exceeds the 70/.test(e.message), `boundary of ${n}`);
    }
    // 70 characters is allowed: this body simply does not use that boundary.
    const ct70 = `multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="${'b'.repeat(70)}"`;
    assert.throws(() => decryptMessage(session, body, ct70), (e: unknown) => e instanceof MessageEncryptionError && /missing the opening boundary/.test(e.message));
  });
});
