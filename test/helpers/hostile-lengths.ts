/**
 * Run as a child process by test/fuzz-parsers.test.ts: inputs that once took quadratic time in a
 * regular expression (minutes at these sizes). A synchronous regex cannot be interrupted inside the
 * test process, so the test runs this script with a kill timeout and reads one JSON line per case:
 * `{ name, outcome }`, outcome being the returned value (as JSON) or the thrown error's class name.
 */
import { decodeCimXmlInstance } from '../../src/cim/cim-xml.js';
import { decodeEpr } from '../../src/cim/epr.js';
import { parseXml } from '../../src/xml/parse.js';
import { ENCRYPTED_CONTENT_TYPE, decryptMessage, encryptMessage } from '../../src/auth/message-encryption.js';
import { createNtlmSession } from '../../src/auth/ntlm/session-security.js';

const N = 300_000;
const digits = '1'.repeat(N);
const KEY = new Uint8Array(16).fill(0x55);
const FLAGS = 0xe28a8231;

const real = (v: string) => (): unknown =>
  decodeCimXmlInstance(`<INSTANCE CLASSNAME="X"><PROPERTY NAME="R" TYPE="real64"><VALUE>${v}</VALUE></PROPERTY></INSTANCE>`).properties.R;

const eprClass = (uri: string) => (): unknown =>
  decodeEpr(
    parseXml(
      `<p:Job xmlns:p="urn:p" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">` +
        `<a:ReferenceParameters><w:ResourceURI>${uri}</w:ResourceURI></a:ReferenceParameters></p:Job>`,
    ),
  ).className;

const blanksAfterClosingBoundary = (): unknown => {
  const body = encryptMessage(createNtlmSession(KEY, FLAGS, 'server'), new Uint8Array(Buffer.from('<a/>')));
  const tail = Buffer.concat([body.subarray(0, body.length - 2), Buffer.alloc(N, 0x20), Buffer.from('x')]);
  return decryptMessage(createNtlmSession(KEY, FLAGS, 'client'), new Uint8Array(tail), ENCRYPTED_CONTENT_TYPE);
};

const CASES: ReadonlyArray<readonly [string, () => unknown]> = [
  ['real digits+x', real(`${digits}x`)],
  ['real digits.digits+x', real(`${digits}.${digits}x`)],
  ['real 1.5e3', real('1.5e3')],
  ['uri slashes', eprClass(`http://h/wmi/${'/'.repeat(N)}x`)],
  // Text after the newline keeps trim() from removing it.
  ['uri question marks', eprClass(`http://h/wmi/root/C${'?'.repeat(N)}\nx`)],
  ['closing boundary blanks', blanksAfterClosingBoundary],
];

for (const [name, run] of CASES) {
  let outcome: string;
  try {
    outcome = JSON.stringify(run());
  } catch (err) {
    outcome = err instanceof Error ? err.constructor.name : String(err);
  }
  process.stdout.write(`${JSON.stringify({ name, outcome })}\n`);
}
