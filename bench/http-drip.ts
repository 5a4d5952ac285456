/**
 * CPU time of the HTTP/1.1 reply reader when a hostile server drips a 62 KB header block (under the
 * 64 KiB bound) or 62 KB of trailers one byte per read, against the same bytes in 16-byte reads.
 * Before incomplete lines were kept without re-joining them, the one-byte case was quadratic
 * (about 0.6 s of CPU per reply on the development machine). Printed, never asserted.
 */
import { pathToFileURL } from 'node:url';
import { ResponseReader } from '../src/transport/http1-response.js';

const LIMITS = { maxBodyBytes: 1 << 20, maxHeaderBytes: 65536, maxInterimResponses: 8 };

function cpuMsFeeding(wire: Buffer, step: number): number {
  const reader = new ResponseReader(LIMITS);
  const t = process.cpuUsage();
  try {
    for (let i = 0; i < wire.length; i += step) reader.push(wire.subarray(i, i + step));
  } catch {
    // the trailer case ends on the trailer bound: what is measured is the work up to it
  }
  const u = process.cpuUsage(t);
  return (u.user + u.system) / 1000;
}

export async function measureHttpDrip(): Promise<Record<string, number>> {
  const head = Buffer.from('HTTP/1.1 200 OK\r\n' + `X-A: ${'a'.repeat(200)}\r\n`.repeat(300), 'latin1');
  const trailers = Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n', 'latin1'), Buffer.alloc(65_000, 0x58)]);
  return {
    headerBytes: head.length,
    headerOneByteReadsCpuMs: cpuMsFeeding(head, 1),
    header16ByteReadsCpuMs: cpuMsFeeding(head, 16),
    trailerOneByteReadsCpuMs: cpuMsFeeding(trailers, 1),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await measureHttpDrip();
  for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(28)} ${typeof v === 'number' ? v.toFixed(1) : v}`);
}
