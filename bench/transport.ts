/**
 * Transport benchmark (issue 10): one keep-alive connection, one request at a time (the NTLM-bound
 * WinRM case), a ~1.5 KB POST and a ~2 KB reply, against a bare HTTP server in its own process.
 * Our node:net transport against undici's Client (pipelining 1, as the previous transport used it),
 * in alternating rounds so that load on the machine hits both alike. Numbers are printed, never asserted.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Client } from 'undici';
import { HttpTransport } from '../src/transport/http-transport.js';

const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./http-reply-process.ts', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<number>((resolve, reject) => {
  child.stdout.once('data', (d: Buffer) => resolve((JSON.parse(d.toString()) as { port: number }).port));
  child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
});
const url = `http://127.0.0.1:${port}/wsman`;
const body = '<s:Envelope>' + 'y'.repeat(1500) + '</s:Envelope>';
const headers = { 'content-type': 'application/soap+xml;charset=UTF-8', authorization: 'Negotiate ' + 'A'.repeat(60) };

const ours = new HttpTransport({ url, maxResponseBytes: 157_696 });
const undici = new Client(`http://127.0.0.1:${port}`, { pipelining: 1, keepAliveTimeout: 60_000 });

const runOurs = async (): Promise<void> => {
  const r = await ours.post({ headers, body, timeoutMs: 30_000 });
  if (r.status !== 200 || r.body.length < 2000) throw new Error('bad reply');
};
const runUndici = async (): Promise<void> => {
  const r = await undici.request({ method: 'POST', path: '/wsman', headers: { ...headers, connection: 'keep-alive' }, body, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const chunks: Buffer[] = [];
  for await (const c of r.body) chunks.push(c as Buffer);
  if (r.statusCode !== 200 || Buffer.concat(chunks).length < 2000) throw new Error('bad reply');
};

async function time(fn: () => Promise<void>, n: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return performance.now() - t0;
}

try {
  for (let i = 0; i < 1000; i++) {
    await runOurs();
    await runUndici();
  }
  const rounds = 6;
  const n = 2000;
  const totals = { ours: 0, undici: 0 };
  for (let r = 0; r < rounds; r++) {
    totals.ours += await time(runOurs, n);
    totals.undici += await time(runUndici, n);
  }
  const line = (name: string, ms: number): string => {
    const ops = rounds * n;
    return `${name.padEnd(48)} ${(ops / (ms / 1000)).toFixed(0).padStart(10)} ops/s  ${((ms * 1000) / ops).toFixed(1).padStart(8)} µs/op`;
  };
  console.log(`node ${process.version}, ${rounds} x ${n} POSTs each, alternating\n`);
  console.log(line('keep-alive POST, node:net transport (ours)', totals.ours));
  console.log(line('keep-alive POST, undici Client (pipelining 1)', totals.undici));
} finally {
  await ours.close();
  await undici.destroy();
  child.kill('SIGTERM');
}
