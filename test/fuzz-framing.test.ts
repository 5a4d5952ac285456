// Grammar-based fuzzing of what had only byte/text mutants before: the MIME framing of WinRM message
// encryption (built part by part with every element varied, valid and not), the HTTP authentication
// headers (WWW-Authenticate parsing and trace redaction), and the XML reader at its bounds (random
// trees around each limit, read back after serialising). Fixed seeds under `npm test`; FUZZ_ITERATIONS,
// FUZZ_SEED and FUZZ_STATS as in test/helpers/fuzz.ts for longer runs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCodes, MessageEncryptionError, NtlmSignatureError, type HypervWsmanError } from '../src/errors.js';
import { createNtlmSession } from '../src/auth/ntlm/index.js';
import { ENCRYPTED_CONTENT_TYPE, decryptMessageDetailed, encryptMessage } from '../src/auth/message-encryption.js';
import { offeredSchemes, parseContentType, redactHeaders } from '../src/session/session.js';
import { parseXml, MAX_XML_ATTRIBUTES, MAX_XML_DEPTH } from '../src/xml/parse.js';
import { serializeXml } from '../src/xml/serialize.js';
import { textOf } from '../src/xml/tree.js';
import { FuzzLog, Rng, excerpt, fuzzCases, fuzzSeed } from './helpers/fuzz.js';

function assertClean(log: FuzzLog, minCases: number, name: string): void {
  if (process.env.FUZZ_STATS) console.log(log.stats(name));
  assert.ok(log.cases >= minCases, `expected at least ${minCases} cases, ran ${log.cases}`);
  assert.equal(log.failures.length, 0, `${log.failures.length} of ${log.cases} cases broke the invariant:\n${log.report()}`);
}

// ---------------------------------------------------------------------------------------------
// MIME framing (MS-WSMV 2.2.9.1.1)

const KEY = new Uint8Array(16).fill(0x3c);
const FLAGS = 0xe28a8231;
const SOAP = Buffer.from('<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>仮想 &amp; ok</s:Body></s:Envelope>', 'utf8');

/** One choice per framing element: the first is what Windows writes; the rest vary it, validly or not. */
const BOUNDARY_LINES = ['--Encrypted Boundary\r\n', '-- Encrypted Boundary\r\n', '--Encrypted Boundary \r\n', '--Encrypted Boundary\n', '--Encrypted boundary\r\n', '--Encrypted Boundary', '', '--\r\n', '--Encrypted Boundary--\r\n'];
const META_TYPES = ['\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n', 'Content-Type:application/http-spnego-session-encrypted\r\n', '\tContent-Type: application/HTTP-CredSSP-session-encrypted\r\n', '\tContent-Type: \r\n', '\tContent-Type application/HTTP-SPNEGO-session-encrypted\r\n', ''];
const ORIGINALS = (n: number): string[] => [
  `\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=${n}\r\n`,
  `\tOriginalContent: type=application/soap+xml; charset=utf-8; Length=${n}\r\n`,
  `\tOriginalContent: type=application/soap+xml;charset=UTF-16;Length=${n}\r\n`,
  `\tOriginalContent: type=application/soap+xml;charset=ISO-8859-1;Length=${n}\r\n`,
  `\tOriginalContent: type=text/html;charset=UTF-8;Length=${n}\r\n`,
  `\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=${n + 1}\r\n`,
  `\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=${n - 1}\r\n`,
  `\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=-${n}\r\n`,
  `\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=${'9'.repeat(40)}\r\n`,
  '\tOriginalContent: type=application/soap+xml;charset=UTF-8\r\n',
  '',
];
const DATA_TYPES = ['\tContent-Type: application/octet-stream\r\n', '\tcontent-type:APPLICATION/OCTET-STREAM\r\n', '\tContent-Type: text/plain\r\n', '\tX-Other: 1\r\n', ''];
const SIG_LENGTHS = [16, 0, 15, 17, 0xffffffff];
const CLOSINGS = ['--Encrypted Boundary--\r\n', '\r\n--Encrypted Boundary--\r\n', '--Encrypted Boundary--', '-- Encrypted Boundary--  \r\n\r\n', '--Encrypted Boundary\r\n', '', '--Other--\r\n', `--Encrypted Boundary--${' '.repeat(20_000)}`];
const EXTRA_HEADERS = ['', '\tX-Extra: 1\r\n', '\tContent-Transfer-Encoding: binary\r\n', `\tX-Long: ${'a'.repeat(10_000)}\r\n`, '\t: empty name\r\n'];

interface Framing {
  readonly body: Uint8Array;
  readonly ops: string[];
  /** Every element is the one Windows writes (or a documented tolerance): must decrypt. */
  readonly canonical: boolean;
}

/** A body built element by element; each element the canonical one 60% of the time. */
function frame(rng: Rng, signature: Uint8Array, sealed: Uint8Array): Framing {
  const ops: string[] = [];
  let canonical = true;
  const choose = <T>(name: string, options: readonly T[], tolerated = 0): T => {
    if (rng.chance(0.6)) return options[0]!;
    const i = rng.int(options.length);
    if (i > tolerated) {
      canonical = false;
      ops.push(`${name}#${i}`);
    }
    return options[i]!;
  };
  const sigLen = choose('sigLength', SIG_LENGTHS);
  const head =
    choose('open', BOUNDARY_LINES, 2) +
    choose('metaType', META_TYPES, 1) +
    choose('extra', EXTRA_HEADERS, 0) +
    choose('original', ORIGINALS(sealed.length), 1) +
    choose('data', BOUNDARY_LINES, 2) +
    choose('dataType', DATA_TYPES, 1);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(sigLen);
  let payload: Buffer = Buffer.concat([len, signature, sealed]);
  const cut = rng.chance(0.1) ? rng.int(payload.length) : payload.length;
  if (cut !== payload.length) {
    canonical = false;
    ops.push(`cut@${cut}`);
    payload = payload.subarray(0, cut);
  }
  const tail = choose('close', CLOSINGS, 3);
  return { body: new Uint8Array(Buffer.concat([Buffer.from(head, 'latin1'), payload, Buffer.from(tail, 'latin1')])), ops, canonical };
}

const isDecryptError = (e: HypervWsmanError): boolean => e.code === ErrorCodes.ENCRYPTION || e.code === ErrorCodes.NTLM_SIGNATURE;

describe('fuzz: MIME framing of encrypted messages, built element by element', () => {
  test('every combination of boundaries, part headers, OriginalContent, signature length, truncation and closing: the SOAP back, or MessageEncryptionError / NtlmSignatureError', () => {
    const log = new FuzzLog();
    const rng = new Rng(fuzzSeed(0xf4a3e001));
    let decrypted = 0;
    for (let i = 0; i < fuzzCases(1500); i++) {
      const sender = createNtlmSession(KEY, FLAGS, 'server');
      const receiver = createNtlmSession(KEY, FLAGS, 'client');
      // The real body supplies a real signature and sealed bytes; the framing around them is ours.
      const real = Buffer.from(encryptMessage(sender, new Uint8Array(SOAP)));
      const sigAt = real.indexOf('application/octet-stream\r\n') + 'application/octet-stream\r\n'.length + 4;
      const signature = real.subarray(sigAt, sigAt + 16);
      const sealed = real.subarray(sigAt + 16, real.length - '--Encrypted Boundary--\r\n'.length);
      const f = frame(rng, signature, sealed);
      const out = log.run(
        `framing #${i} [${f.ops.join(',')}] ${excerpt(f.body, 240)}`,
        () => {
          const r = decryptMessageDetailed(receiver, f.body, ENCRYPTED_CONTENT_TYPE);
          // Anything accepted passed the MAC check, so it is exactly what was sealed.
          assert.deepEqual(Buffer.from(r.plaintext), SOAP);
          return r;
        },
        isDecryptError,
      );
      if (out) decrypted++;
      else if (f.canonical) log.fail(`framing #${i}: a canonical framing was refused`, new Error(excerpt(f.body, 240)));
    }
    assertClean(log, 1500, 'mime-framing');
    assert.ok(decrypted > 100, `only ${decrypted} bodies decrypted: the generator hardly produces valid framing`);
  });

  test('refusals name the framing problem (not a signature failure) when the framing is what is wrong', () => {
    const sender = createNtlmSession(KEY, FLAGS, 'server');
    const body = Buffer.from(encryptMessage(sender, new Uint8Array(SOAP))).toString('latin1');
    for (const [from, to] of [
      ['Length=', 'Length=1'],
      ['application/octet-stream', 'text/plain'],
      ['--Encrypted Boundary--', '--Other--'],
    ] as const) {
      const receiver = createNtlmSession(KEY, FLAGS, 'client');
      assert.throws(() => decryptMessageDetailed(receiver, new Uint8Array(Buffer.from(body.replace(from, to), 'latin1')), ENCRYPTED_CONTENT_TYPE), MessageEncryptionError, to);
    }
    const receiver = createNtlmSession(KEY, FLAGS, 'client');
    const flipped = Buffer.from(body, 'latin1');
    flipped[flipped.length - 30]! ^= 1;
    assert.throws(() => decryptMessageDetailed(receiver, new Uint8Array(flipped), ENCRYPTED_CONTENT_TYPE), NtlmSignatureError);
  });
});

// ---------------------------------------------------------------------------------------------
// Authentication headers

const SCHEMES = ['Negotiate', 'NTLM', 'Basic', 'Kerberos', 'CredSSP', 'Digest', 'negotiate', 'X-Custom'];
const TOKEN_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-._~';

function token(rng: Rng): string {
  let t = '';
  for (let i = 0, n = 8 + rng.int(120); i < n; i++) t += TOKEN_CHARS[rng.int(TOKEN_CHARS.length)];
  return t + '='.repeat(rng.int(3));
}

/** A header value of 1-4 challenges: bare schemes, schemes with a token, schemes with parameters, junk. */
function challengeHeader(rng: Rng, tokens: string[]): string {
  const parts: string[] = [];
  for (let i = 0, n = 1 + rng.int(4); i < n; i++) {
    const scheme = rng.pick(SCHEMES);
    switch (rng.int(5)) {
      case 0:
        parts.push(scheme);
        break;
      case 1:
      case 2: {
        const t = token(rng);
        tokens.push(t);
        parts.push(`${scheme} ${t}`);
        break;
      }
      case 3:
        parts.push(`${scheme} realm="${rng.pick(['WSMAN', 'a, b', 'x"y', ''])}"${rng.chance(0.5) ? ', charset="UTF-8"' : ''}`);
        break;
      default:
        parts.push(rng.pick([',', ' , ', '=', '"', `${scheme}  ,  `, '\t', 'a=b=c', String.fromCharCode(rng.int(0x300))]));
    }
  }
  return parts.join(rng.pick([', ', ',', ' ,']));
}

describe('fuzz: authentication headers (WWW-Authenticate parsing, trace redaction)', () => {
  test('random challenge and credential headers: parsing never throws, and no token ever survives redaction', () => {
    const log = new FuzzLog();
    const rng = new Rng(fuzzSeed(0xa07e0001));
    for (let i = 0; i < fuzzCases(3000); i++) {
      const tokens: string[] = [];
      const www = rng.chance(0.3) ? [challengeHeader(rng, tokens), challengeHeader(rng, tokens)] : challengeHeader(rng, tokens);
      const ours = token(rng);
      const headers = { 'www-authenticate': www, authorization: `${rng.pick(SCHEMES)} ${ours}`, 'content-type': rng.pick([ENCRYPTED_CONTENT_TYPE, 'application/soap+xml;charset=UTF-16', ';;;', '']) };
      log.run(`headers #${i} ${excerpt(JSON.stringify(headers), 300)}`, () => {
        const schemes = offeredSchemes(www);
        assert.ok(schemes.every((s) => typeof s === 'string' && s.length > 0));
        parseContentType(headers['content-type']);
        const shown = JSON.stringify(redactHeaders(headers));
        for (const t of [ours, ...tokens]) {
          // A token is hidden whole; a short one may still occur by chance inside other text, so only
          // tokens long enough to be unambiguous are checked.
          if (t.replace(/=+$/, '').length >= 12) assert.ok(!shown.includes(t.replace(/=+$/, '')), `token ${t} survived: ${shown}`);
        }
      });
    }
    assertClean(log, 3000, 'auth-headers');
  });
});

// ---------------------------------------------------------------------------------------------
// The XML reader at its bounds

describe('fuzz: the XML reader around its bounds', () => {
  test('random documents near the depth, attribute and declaration bounds: a tree that serialises and reads back the same, or a typed error', () => {
    const log = new FuzzLog();
    const rng = new Rng(fuzzSeed(0xb0d0e001));
    for (let i = 0; i < fuzzCases(300); i++) {
      const depth = MAX_XML_DEPTH - 3 + rng.int(6);
      const attrs = rng.chance(0.5) ? MAX_XML_ATTRIBUTES - 2 + rng.int(4) : rng.int(4);
      const declsPer = rng.int(4);
      let open = '';
      let close = '';
      for (let d = 0; d < depth; d++) {
        const p = `q${rng.int(3)}`;
        const decl = Array.from({ length: declsPer }, (_, k) => ` xmlns:q${k}="urn:${d}:${k}"`).join('') + (declsPer === 0 ? ' xmlns:q0="u" xmlns:q1="v" xmlns:q2="w"' : '');
        const many = d === depth - 1 ? Array.from({ length: attrs }, (_, k) => ` a${k}="${k}"`).join('') : '';
        const name = declsPer === 0 || Number(p.slice(1)) < declsPer || d > 0 ? (rng.chance(0.5) ? `${p}:e` : 'e') : 'e';
        open += `<${name}${decl}${many}>`;
        close = `</${name}>` + close;
      }
      const xml = `${open}${rng.pick(['t', '&amp;', '<![CDATA[c]]>', ''])}${close}`;
      log.run(
        `bounds #${i} depth=${depth} attrs=${attrs} decls=${declsPer}`,
        () => {
          const tree = parseXml(xml);
          const again = parseXml(serializeXml(tree));
          assert.equal(textOf(again), textOf(tree));
        },
        (e) => e.code === ErrorCodes.XML_LIMIT || e.code === ErrorCodes.XML_MALFORMED,
      );
    }
    assertClean(log, 300, 'xml-bounds');
    assert.ok(log.count('ok') > 0 && log.count(ErrorCodes.XML_LIMIT) > 0, `both sides of the bounds are reached: ${JSON.stringify(Object.fromEntries(log.outcomes))}`);
  });
});
