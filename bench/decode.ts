/**
 * Msvm_Error decode throughput (issue 10 target: >= 20,000/s on one core): the GetError out
 * parameter as the client holds it after parsing the reply (an element whose text is the embedded
 * CIM-XML instance, as Windows writes it, system properties included), decoded by the same calls
 * HypervJobs uses (decodeEmbeddedInstanceParam with MSVM_ERROR_SCHEMA, then toMsvmError). Process
 * CPU time, best of several rounds. Printed, never asserted.
 */
import { pathToFileURL } from 'node:url';
import { decodeEmbeddedInstanceParam } from '../src/cim/ws-cim.js';
import { liveMigrationError, msvmErrorCimXml } from '../src/emulator/index.js';
import { MSVM_ERROR_SCHEMA } from '../src/hyperv/class-schemas.js';
import { toMsvmError, type MsvmError } from '../src/hyperv/msvm-error.js';
import { escapeText } from '../src/xml/escape.js';
import { parseXml } from '../src/xml/parse.js';

export interface DecodeResult {
  decodesPerSec: number;
  usPerDecode: number;
  /** Length of the embedded CIM-XML text decoded each time. */
  cimXmlChars: number;
}

/** The GetError reply's out parameter: `<p:Error>` with the escaped CIM-XML as its text. */
function errorParam(): { el: ReturnType<typeof parseXml>; chars: number } {
  const cimXml = msvmErrorCimXml(liveMigrationError('vm01', '1C5B6E2A-8F3D-4B1E-9A7C-2D4F6E8A0B1C', 'HV01', 'HV02'), { systemProperties: true, computerName: 'HV01' });
  const ns = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2/Msvm_ConcreteJob';
  return { el: parseXml(`<p:Error xmlns:p="${ns}">${escapeText(cimXml)}</p:Error>`), chars: cimXml.length };
}

function decodeOnce(el: ReturnType<typeof parseXml>): MsvmError {
  const inst = decodeEmbeddedInstanceParam(el, { schema: MSVM_ERROR_SCHEMA });
  if (!inst) throw new Error('bench: the Msvm_Error did not decode');
  return toMsvmError(inst);
}

export async function measureDecode(opts: { iterations?: number; rounds?: number } = {}): Promise<DecodeResult> {
  const iterations = opts.iterations ?? 20_000;
  const rounds = opts.rounds ?? 5;
  const { el, chars } = errorParam();
  const first = decodeOnce(el);
  if (first.messageId !== '21502') throw new Error(`bench: decoded the wrong error (MessageID ${first.messageId})`);
  for (let i = 0; i < 2000; i++) decodeOnce(el); // warm-up: steady-state JIT
  let bestUs = Infinity;
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < iterations; i++) decodeOnce(el);
    const c = process.cpuUsage(c0);
    bestUs = Math.min(bestUs, (c.user + c.system) / iterations);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { decodesPerSec: Math.round(1e6 / bestUs), usPerDecode: Math.round(bestUs * 100) / 100, cimXmlChars: chars };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await measureDecode();
  console.log(`${`Msvm_Error decode (${r.cimXmlChars} chars CIM-XML -> MsvmError)`.padEnd(56)} ${String(r.decodesPerSec).padStart(8)} /s CPU  ${r.usPerDecode.toFixed(1).padStart(7)} µs  (target >= 20000/s)`);
  if (process.env.BENCH_JSON) console.log(JSON.stringify({ decode: r }));
}
