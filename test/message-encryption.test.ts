import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageEncryptionError, NtlmSignatureError } from '../src/errors.js';
import {
  ENCRYPTED_CONTENT_TYPE,
  decryptMessage,
  decryptMessageDetailed,
  encryptMessage,
  isEncryptedContentType,
} from '../src/auth/message-encryption.js';
import { createNtlmSession, type NtlmSession } from '../src/auth/ntlm/session-security.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

const KEY = hex('55555555555555555555555555555555');
const FLAGS = 0xe28a8231; // ntlm-auth test_ntlm_context_with_mic
const pair = (): { client: NtlmSession; server: NtlmSession } => ({
  client: createNtlmSession(KEY, FLAGS, 'client'),
  server: createNtlmSession(KEY, FLAGS, 'server'),
});

test('Content-Type is the MS-WSMV 2.2.9.1.1 multipart/encrypted value', () => {
  assert.equal(ENCRYPTED_CONTENT_TYPE, 'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"');
});

// MS-WSMV 2.2.9.1.1 framing with the ntlm-auth wrap("test req") vector (protocol-facts.md 6.2 derived
// example). Part headers at column 0, as WinRb/WinRM sends them to Windows and as OMI requires.
// https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wsmv/b79bcdd9-125c-49e0-8a4f-bac4ce878592
const sealedTestReq = [hex('10000000'), hex('01000000bce323a17206237800000000'), hex('70801e11fe6b3aad')];

test('encryptMessage writes the part headers at column 0 by default (260 bytes for "test req")', () => {
  const body = encryptMessage(pair().client, bytes('test req'));
  const expected = cat(
    bytes('--Encrypted Boundary\r\n'),
    bytes('Content-Type: application/HTTP-SPNEGO-session-encrypted\r\n'),
    bytes('OriginalContent: type=application/soap+xml;charset=UTF-8;Length=8\r\n'),
    bytes('--Encrypted Boundary\r\n'),
    bytes('Content-Type: application/octet-stream\r\n'),
    ...sealedTestReq,
    bytes('--Encrypted Boundary--\r\n'),
  );
  assert.equal(Buffer.from(body).toString('hex'), Buffer.from(expected).toString('hex'));
  assert.equal(body.length, 260);
  // OMI (httpauth.c Http_DecryptData) matches these names only at the start of a line.
  assert.doesNotMatch(Buffer.from(body).toString('latin1'), /\t/);
});

test('With partHeaderIndent TAB it is the pywinrm layout byte for byte (263 bytes for "test req")', () => {
  const body = encryptMessage(pair().client, bytes('test req'), 'UTF-8', { partHeaderIndent: '\t' });
  const expected = cat(
    bytes('--Encrypted Boundary\r\n'),
    bytes('\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n'),
    bytes('\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=8\r\n'),
    bytes('--Encrypted Boundary\r\n'),
    bytes('\tContent-Type: application/octet-stream\r\n'),
    ...sealedTestReq,
    bytes('--Encrypted Boundary--\r\n'),
  );
  assert.equal(Buffer.from(body).toString('hex'), Buffer.from(expected).toString('hex'));
  assert.equal(body.length, 263);
});

test('Both indentations and OMI\'s extra CRLF after the closing boundary decrypt', () => {
  for (const framing of [{}, { partHeaderIndent: '\t' as const }, { trailingCrlf: true }, { partHeaderIndent: '\t' as const, trailingCrlf: true }]) {
    const { client, server } = pair();
    const body = encryptMessage(server, bytes('<reply/>'), 'UTF-8', framing);
    if (framing.trailingCrlf) assert.ok(Buffer.from(body).toString('latin1').endsWith('--Encrypted Boundary--\r\n\r\n'));
    assert.deepEqual(decryptMessage(client, body, ENCRYPTED_CONTENT_TYPE), bytes('<reply/>'), JSON.stringify(framing));
  }
});

test('Round trip client -> server and server -> client over several messages', () => {
  const { client, server } = pair();
  for (let i = 0; i < 4; i++) {
    const soap = bytes(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>${'é'.repeat(i)}${i}</s:Body></s:Envelope>`);
    assert.deepEqual(decryptMessage(server, encryptMessage(client, soap), ENCRYPTED_CONTENT_TYPE), soap);
    const reply = bytes(`<reply n="${i}"/>`);
    assert.deepEqual(decryptMessage(client, encryptMessage(server, reply), ENCRYPTED_CONTENT_TYPE), reply);
  }
});

test('A UTF-16 charset is carried in OriginalContent and reported on decrypt', () => {
  const { client, server } = pair();
  const soap = new Uint8Array(Buffer.from('<s:Envelope/>', 'utf16le'));
  const body = encryptMessage(client, soap, 'UTF-16');
  assert.ok(Buffer.from(body).includes('charset=UTF-16;Length=26'));
  const out = decryptMessageDetailed(server, body, ENCRYPTED_CONTENT_TYPE);
  assert.equal(out.charset, 'UTF-16');
  assert.deepEqual(out.plaintext, soap);
});

test('Tolerates "-- Encrypted Boundary", no tabs, an unquoted boundary and a CRLF before the closing boundary', () => {
  const { client, server } = pair();
  const { signature, sealed } = client.seal(bytes('<x/>'));
  const body = cat(
    bytes('-- Encrypted Boundary\r\n'),
    bytes('Content-Type: application/HTTP-SPNEGO-session-encrypted\r\n'),
    bytes('OriginalContent: type=application/soap+xml;charset=utf-8;Length=4\r\n'),
    bytes('-- Encrypted Boundary\r\n'),
    bytes('Content-Type: application/octet-stream\r\n'),
    hex('10000000'),
    signature,
    sealed,
    bytes('\r\n-- Encrypted Boundary--\r\n'),
  );
  const contentType = 'multipart/encrypted; protocol="application/HTTP-SPNEGO-session-encrypted"; boundary=Encrypted Boundary';
  assert.equal(Buffer.from(decryptMessage(server, body, contentType)).toString(), '<x/>');
});

test('Sealed data is framed by OriginalContent Length, so boundary bytes inside the ciphertext do no harm', () => {
  // Choose the plaintext so that its ciphertext *is* a closing boundary: P = keystream XOR target.
  const target = bytes('ab--Encrypted Boundary--\r\ncd');
  const keystream = createNtlmSession(KEY, FLAGS, 'client').seal(new Uint8Array(target.length)).sealed;
  const soap = target.map((b, i) => b ^ keystream[i]!);
  const { client, server } = pair();
  const body = encryptMessage(client, soap);
  assert.ok(Buffer.from(body).subarray(0, body.length - 24).includes('--Encrypted Boundary--\r\n'), 'ciphertext holds the boundary');
  assert.deepEqual(decryptMessage(server, body, ENCRYPTED_CONTENT_TYPE), soap);
});

test('isEncryptedContentType', () => {
  assert.equal(isEncryptedContentType(ENCRYPTED_CONTENT_TYPE), true);
  assert.equal(isEncryptedContentType('Multipart/Encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"'), true);
  assert.equal(isEncryptedContentType('application/soap+xml;charset=UTF-8'), false);
  assert.equal(isEncryptedContentType(''), false);
  assert.equal(isEncryptedContentType(undefined), false);
});

function validBody(): { body: Uint8Array; server: NtlmSession } {
  const { client, server } = pair();
  return { body: encryptMessage(client, bytes('<s:Envelope>hello</s:Envelope>')), server };
}

function replaceText(body: Uint8Array, from: string, to: string): Uint8Array {
  const at = Buffer.from(body).indexOf(from, 0, 'latin1');
  assert.ok(at >= 0, `"${from}" is in the body`);
  return cat(body.subarray(0, at), bytes(to), body.subarray(at + from.length));
}

test('Malformed bodies and content types raise MessageEncryptionError', () => {
  const cases: [string, (body: Uint8Array) => [Uint8Array, string]][] = [
    ['content type without boundary', (b) => [b, 'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted"']],
    ['not multipart/encrypted', (b) => [b, 'application/soap+xml;charset=UTF-8']],
    ['Kerberos protocol', (b) => [b, 'multipart/encrypted;protocol="application/HTTP-Kerberos-session-encrypted";boundary="Encrypted Boundary"']],
    ['CredSSP multi-encrypted', (b) => [b, 'multipart/x-multi-encrypted;protocol="application/HTTP-CredSSP-session-encrypted";boundary="Encrypted Boundary"']],
    ['other boundary than the body uses', (b) => [b, 'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Other"']],
    ['body without any boundary', () => [bytes('<s:Envelope/>'), ENCRYPTED_CONTENT_TYPE]],
    ['truncated in the sealed data', (b) => [b.subarray(0, b.length - 30), ENCRYPTED_CONTENT_TYPE]],
    ['truncated in the signature', (b) => [b.subarray(0, 220), ENCRYPTED_CONTENT_TYPE]], // signature starts at byte 216
    ['no closing boundary', (b) => [b.subarray(0, b.length - 24), ENCRYPTED_CONTENT_TYPE]],
    ['Length too small', (b) => [replaceText(b, 'Length=30', 'Length=29'), ENCRYPTED_CONTENT_TYPE]],
    ['Length too large', (b) => [replaceText(b, 'Length=30', 'Length=31'), ENCRYPTED_CONTENT_TYPE]],
    ['Length not a number', (b) => [replaceText(b, 'Length=30', 'Length=3x'), ENCRYPTED_CONTENT_TYPE]],
    ['no OriginalContent', (b) => [replaceText(b, 'OriginalContent', 'OriginalContenX'), ENCRYPTED_CONTENT_TYPE]],
    ['wrong original type', (b) => [replaceText(b, 'type=application/soap+xml', 'type=application/json+xml'), ENCRYPTED_CONTENT_TYPE]],
    ['unsupported charset', (b) => [replaceText(b, 'charset=UTF-8', 'charset=KOI-8'), ENCRYPTED_CONTENT_TYPE]],
    ['wrong data part type', (b) => [replaceText(b, 'application/octet-stream', 'application/octet-streaX'), ENCRYPTED_CONTENT_TYPE]],
    ['signature length not 16', (b) => [replaceText(b, 'octet-stream\r\n\x10', 'octet-stream\r\n\x0f'), ENCRYPTED_CONTENT_TYPE]],
  ];
  for (const [what, make] of cases) {
    const { body, server } = validBody();
    const [bad, contentType] = make(body);
    assert.throws(() => decryptMessage(server, bad, contentType), MessageEncryptionError, what);
  }
});

test('A tampered ciphertext or signature inside a well-formed body raises NtlmSignatureError', () => {
  for (const offsetFromEnd of [24 + 1, 24 + 30 + 8]) {
    const { body, server } = validBody();
    const bad = body.slice();
    bad[bad.length - offsetFromEnd]! ^= 0x01; // the last sealed byte; a checksum byte of the signature
    assert.throws(() => decryptMessage(server, bad, ENCRYPTED_CONTENT_TYPE), NtlmSignatureError);
  }
});

test('A replayed encrypted body is rejected', () => {
  const { body, server } = validBody();
  assert.equal(Buffer.from(decryptMessage(server, body, ENCRYPTED_CONTENT_TYPE)).toString(), '<s:Envelope>hello</s:Envelope>');
  assert.throws(() => decryptMessage(server, body, ENCRYPTED_CONTENT_TYPE), NtlmSignatureError);
});

test('Decrypting leaves the received body as it was, whether a Buffer (as the transport hands it over) or a Uint8Array', () => {
  for (const asBuffer of [true, false]) {
    const { body, server } = validBody();
    const received = asBuffer ? Buffer.from(body) : body.slice();
    const before = Buffer.from(received).toString('hex');
    assert.equal(Buffer.from(decryptMessage(server, received, ENCRYPTED_CONTENT_TYPE)).toString(), '<s:Envelope>hello</s:Envelope>');
    assert.equal(Buffer.from(received).toString('hex'), before, asBuffer ? 'Buffer body' : 'Uint8Array body');
  }
});

test('Part headers are read past the first 512 bytes, up to 4096; beyond that the body is refused and says why', () => {
  for (const [padding, ok] of [[600, true], [3800, true], [4200, false]] as const) {
    const { body, server } = validBody();
    const padded = replaceText(body, 'OriginalContent:', `X-Padding: ${'p'.repeat(padding)}\r\nOriginalContent:`);
    if (ok) assert.equal(Buffer.from(decryptMessage(server, padded, ENCRYPTED_CONTENT_TYPE)).toString(), '<s:Envelope>hello</s:Envelope>', `${padding}`);
    else assert.throws(() => decryptMessage(server, padded, ENCRYPTED_CONTENT_TYPE), (e: unknown) => e instanceof MessageEncryptionError && /within the first 4096 bytes/.test(e.message));
  }
  // The data part's boundary line starting 10 bytes before byte 512: cut by what is read first, found once more is read.
  const { body, server } = validBody();
  const line = '--Encrypted Boundary\r\nContent-Type: application/octet-stream';
  const at = Buffer.from(body).indexOf(line, 0, 'latin1');
  const shifted = replaceText(body, 'OriginalContent:', `X-Padding: ${'p'.repeat(512 - 10 - at - 13)}\r\nOriginalContent:`);
  assert.equal(Buffer.from(shifted).indexOf(line, 0, 'latin1'), 502);
  assert.equal(Buffer.from(decryptMessage(server, shifted, ENCRYPTED_CONTENT_TYPE)).toString(), '<s:Envelope>hello</s:Envelope>');
});

test('The usual head read in one match and any other head read line by line give the same answers', () => {
  const hello = '<s:Envelope>hello</s:Envelope>';
  const cases: [string, [string, string][], string | RegExp][] = [
    ['as written', [], 'UTF-8'],
    ['lower-case charset value', [['charset=UTF-8', 'charset=utf-8']], 'UTF-8'],
    ['mixed-case charset value', [['charset=UTF-8', 'charset=Utf-8']], 'UTF-8'],
    ['lower-case header names', [['Content-Type: application/HTTP', 'content-type: application/HTTP'], ['OriginalContent:', 'originalcontent:']], 'UTF-8'],
    ['upper-case parameter names and type', [['type=application/soap+xml', 'TYPE=APPLICATION/SOAP+XML'], ['Length=', 'LENGTH=']], 'UTF-8'],
    ['leading zeros in Length', [['Length=30', 'Length=0030']], 'UTF-8'],
    ['a quoted charset', [['charset=UTF-8', 'charset="UTF-8"']], 'UTF-8'],
    ['spaces around the parameters', [['charset=UTF-8;', 'charset = UTF-8 ; ']], 'UTF-8'],
    ['a boundary in other letter case', [['--Encrypted Boundary\r\nContent-Type: application/HTTP', '--encrypted boundary\r\nContent-Type: application/HTTP']], /missing the opening boundary/],
    ['a 16-digit Length', [['Length=30', 'Length=0000000000000030']], 'UTF-8'],
    ['a 16-digit Length that is wrong', [['Length=30', 'Length=1000000000000030']], /Length=1000000000000030 but the sealed data is 30 bytes/],
    ['the protocol in other letter case', [['Content-Type: application/HTTP-SPNEGO', 'Content-Type: application/http-spnego']], 'UTF-8'],
    ['another protocol', [['Content-Type: application/HTTP-SPNEGO', 'Content-Type: application/HTTP-Kerberos']], /metadata part has Content-Type/],
    ['text after the closing boundary', [['Boundary--\r\n', 'Boundary--\r\nmore\r\n']], /unexpected bytes after its closing boundary \(30 bytes/],
    ['5 KB of blanks after the closing boundary', [['Boundary--\r\n', `Boundary--${' '.repeat(5000)}`]], /unexpected bytes after its closing boundary/],
    ['a few blanks after the closing boundary', [['Boundary--\r\n', 'Boundary-- \t\r\n\r\n']], 'UTF-8'],
  ];
  for (const [what, edits, expected] of cases) {
    const { body, server } = validBody();
    const edited = edits.reduce((b, [from, to]) => replaceText(b, from, to), body);
    if (typeof expected === 'string') {
      const out = decryptMessageDetailed(server, edited, ENCRYPTED_CONTENT_TYPE);
      assert.deepEqual([Buffer.from(out.plaintext).toString(), out.charset], [hello, expected], what);
    } else {
      assert.throws(() => decryptMessageDetailed(server, edited, ENCRYPTED_CONTENT_TYPE), (e: unknown) => e instanceof MessageEncryptionError && expected.test(e.message), what);
    }
  }
});
