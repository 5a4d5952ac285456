/**
 * Benchmarks (npm run bench): throughput of the hot paths, and end-to-end GetError round trips
 * against the emulated host over loopback. Numbers are printed, never asserted.
 */
import { performance } from 'node:perf_hooks';
import { decodeCimXmlInstance } from '../src/cim/cim-xml.js';
import { NtlmClientContext } from '../src/auth/ntlm/client-context.js';
import { NtlmServerContext } from '../src/auth/ntlm/server-context.js';
import { encryptMessage, decryptMessage, ENCRYPTED_CONTENT_TYPE } from '../src/auth/message-encryption.js';
import { buildInvokeRequest } from '../src/wsman/requests.js';
import { parseXml } from '../src/xml/parse.js';
import { toMsvmError } from '../src/hyperv/msvm-error.js';
import { HypervJobs } from '../src/hyperv/jobs.js';
import { WsmanClient } from '../src/wsman/client.js';
import { runPythonPeer } from '../interop/python-peer.js';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEFAULT_USER, DEFAULT_PASSWORD, FIXTURE_JOB_IDS } from '../src/emulator/index.js';

function bench(name: string, iterations: number, fn: () => void): void {
  for (let i = 0; i < Math.min(200, iterations); i++) fn(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) fn();
  const ms = performance.now() - t0;
  console.log(`${name.padEnd(48)} ${(iterations / (ms / 1000)).toFixed(0).padStart(10)} ops/s  ${((ms * 1000) / iterations).toFixed(1).padStart(8)} µs/op`);
}

async function benchAsync(name: string, iterations: number, fn: () => Promise<void>): Promise<void> {
  // Long warm-up: steady-state (JIT-compiled) figures, which is what a long-running automation sees.
  for (let i = 0; i < 1500; i++) await fn();
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) await fn();
  const ms = performance.now() - t0;
  console.log(`${name.padEnd(48)} ${(iterations / (ms / 1000)).toFixed(0).padStart(10)} ops/s  ${((ms * 1000) / iterations).toFixed(1).padStart(8)} µs/op`);
}

const cimXml =
  '<INSTANCE CLASSNAME="Msvm_Error">' +
  '<PROPERTY NAME="CIMStatusCode" TYPE="uint32"><VALUE>1</VALUE></PROPERTY>' +
  '<PROPERTY NAME="ErrorSource" TYPE="string"></PROPERTY>' +
  '<PROPERTY NAME="ErrorType" TYPE="uint16"><VALUE>4</VALUE></PROPERTY>' +
  '<PROPERTY NAME="Message" TYPE="string"><VALUE>&apos;vm01&apos; failed to modify device &apos;Virtual Hard Disk&apos;. (Virtual machine ID 1C5B6E2A-...)</VALUE></PROPERTY>' +
  '<PROPERTY.ARRAY NAME="MessageArguments" TYPE="string"><VALUE.ARRAY><VALUE>vm01</VALUE><VALUE>Virtual Hard Disk</VALUE></VALUE.ARRAY></PROPERTY.ARRAY>' +
  '<PROPERTY NAME="MessageID" TYPE="string"><VALUE>32768</VALUE></PROPERTY>' +
  '<PROPERTY NAME="OwningEntity" TYPE="string"><VALUE>Microsoft-Windows-Hyper-V-VMMS</VALUE></PROPERTY>' +
  '<PROPERTY NAME="PerceivedSeverity" TYPE="uint16"><VALUE>5</VALUE></PROPERTY>' +
  '<PROPERTY NAME="ProbableCause" TYPE="uint16"><VALUE>47</VALUE></PROPERTY>' +
  '</INSTANCE>';

console.log(`node ${process.version} on ${process.platform}/${process.arch}\n`);
bench('CIM-XML decode Msvm_Error + typing', 20_000, () => {
  toMsvmError(decodeCimXmlInstance(cimXml));
});
const ctx = { to: 'https://hv01:5986/wsman' };
const uri = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2/Msvm_ConcreteJob';
bench('build GetError envelope', 100_000, () => {
  buildInvokeRequest(ctx, uri, 'GetError', { selectors: { InstanceID: '5E2C1B2D-0000-4000-8000-000000000001' } });
});
const env = buildInvokeRequest(ctx, uri, 'GetError', { selectors: { InstanceID: 'X' } }).xml;
bench('parse a 1 KB envelope (safe parser)', 20_000, () => {
  parseXml(env);
});

// NTLM sealing throughput on a 4 KB SOAP body.
const client = new NtlmClientContext({ user: 'LAB\\u', password: 'p' });
const server = new NtlmServerContext({ lookupPassword: () => 'p', targetName: 'LAB', computerName: 'HV' });
const t1 = client.createNegotiate();
const t2 = server.createChallenge(t1);
const t3 = client.createAuthenticate(t2);
const accepted = server.acceptAuthenticate(t3);
const soap = Buffer.from(env.padEnd(4096, ' '));
bench('NTLM encrypt + decrypt 4 KB (MS-WSMV framing)', 5_000, () => {
  const body = encryptMessage(client.session, soap);
  decryptMessage(accepted.session, body, ENCRYPTED_CONTENT_TYPE);
});

// End to end over loopback: GetError on a failed job, per transport. The host runs in its own
// process so that its work is not billed to the client (and the peer gets the same conditions).
const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./emulator-process.ts', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
const host = await new Promise<{ port: number; url: string; hostname: string }>((resolve, reject) => {
  child.stdout.once('data', (d: Buffer) => resolve({ ...(JSON.parse(d.toString()) as { port: number; url: string }), hostname: '127.0.0.1' }));
  child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
});
try {
  for (const [label, opts] of [
    ['GetError round trip: NTLM + encryption (http)', { transport: 'ntlm' as const, scheme: 'http' as const }],
    ['GetError round trip: Basic, unencrypted (http, lab)', { transport: 'basic' as const, scheme: 'http' as const, allowUnencrypted: true }],
  ] as const) {
    const c = new WsmanClient({ host: host.hostname, port: host.port, user: DEFAULT_USER, password: DEFAULT_PASSWORD, ...opts });
    const jobs = new HypervJobs(c);
    await benchAsync(label, 2000, async () => {
      await jobs.callGetError(FIXTURE_JOB_IDS.failedConcrete, 'Msvm_ConcreteJob');
    });
    await c.close();
  }
  // Concurrency: 4 calls at a time over a pool of 4 authenticated connections.
  {
    const c = new WsmanClient({ host: host.hostname, port: host.port, user: DEFAULT_USER, password: DEFAULT_PASSWORD, scheme: 'http', maxConnections: 4 });
    const jobs = new HypervJobs(c);
    const four = (): Promise<unknown> => Promise.all([0, 1, 2, 3].map(() => jobs.callGetError(FIXTURE_JOB_IDS.failedConcrete, 'Msvm_ConcreteJob')));
    for (let i = 0; i < 400; i++) await four();
    const t0 = performance.now();
    const rounds = 500;
    for (let i = 0; i < rounds; i++) await four();
    const ms = performance.now() - t0;
    console.log(`${'GetError, 4 concurrent, maxConnections 4 (NTLM)'.padEnd(48)} ${((rounds * 4) / (ms / 1000)).toFixed(0).padStart(10)} ops/s  ${((ms * 1000) / (rounds * 4)).toFixed(1).padStart(8)} µs/op`);
    await c.close();
  }
  // The peer: pywinrm, same operation, same host, NTLM + encryption (parses nothing: raw send_message).
  const peer = await runPeer(host.url, 2000);
  console.log(`${'pywinrm 0.3 GetError round trip: NTLM + encryption'.padEnd(48)} ${peer}`);
} finally {
  child.kill('SIGTERM');
}

async function runPeer(endpoint: string, iterations: number): Promise<string> {
  try {
    const out = await runPythonPeer<{ opsPerSec: number; usPerOp: number }>('pywinrm_geterror_bench.py', { endpoint, user: DEFAULT_USER, password: DEFAULT_PASSWORD, instanceId: FIXTURE_JOB_IDS.failedConcrete, iterations }, ['python3-winrm']);
    return `${out.opsPerSec.toFixed(0).padStart(10)} ops/s  ${out.usPerOp.toFixed(1).padStart(8)} µs/op`;
  } catch (err) {
    return `not measured (${(err as Error).message.split('\n')[0]})`;
  }
}
