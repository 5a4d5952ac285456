/**
 * Focused benchmark of parseXml (node --import tsx bench/xml-parse.ts): a 1 KB request envelope, a
 * ~3 KB GetError reply and its embedded CIM-XML, and a ~100 KB Enumerate page of 50 Msvm_ConcreteJob
 * instances, all captured from the emulated host. Numbers are printed, never asserted. Each figure is
 * the best of several rounds (less noise from GC and other processes than a single mean).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseXml } from '../src/xml/parse.js';
import { buildEnumerateRequest, buildInvokeRequest, type WsmanRequest } from '../src/wsman/requests.js';
import { HYPERV_NAMESPACE, wmiResourceUri } from '../src/wsman/namespaces.js';
import { textOf, type XmlElement } from '../src/xml/tree.js';
import { DEFAULT_JOBS, DEFAULT_PASSWORD, DEFAULT_USER, FIXTURE_JOB_IDS, startEmulatedHost, type JobFixture } from '../src/emulator/index.js';

const BASIC = `Basic ${Buffer.from(`${DEFAULT_USER}:${DEFAULT_PASSWORD}`).toString('base64')}`;

function post(url: string, req: WsmanRequest): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = http.request(url, { method: 'POST', headers: { Authorization: BASIC, 'Content-Type': 'application/soap+xml;charset=UTF-8' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(req.xml);
  });
}

/** 50 Msvm_ConcreteJob instances: the default concrete jobs, repeated under fresh InstanceIDs. */
function fiftyJobs(): JobFixture[] {
  const concrete = DEFAULT_JOBS.filter((j) => j.className === 'Msvm_ConcreteJob' && !j.progress);
  return Array.from({ length: 50 }, (_, i) => ({ ...concrete[i % concrete.length]!, instanceId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` }));
}

async function capture(): Promise<Array<[string, string]>> {
  const jobUri = wmiResourceUri(HYPERV_NAMESPACE, 'Msvm_ConcreteJob');
  const ctx = { to: 'https://hv01:5986/wsman' };
  const envelope = buildInvokeRequest(ctx, jobUri, 'GetError', { selectors: { InstanceID: 'X' } }).xml;
  const small = await startEmulatedHost({ auth: { basic: true }, allowUnencrypted: true });
  let getError: string;
  try {
    getError = await post(small.url, buildInvokeRequest({ to: small.url }, jobUri, 'GetError', { selectors: { InstanceID: FIXTURE_JOB_IDS.failedConcrete } }));
  } finally {
    await small.close();
  }
  const big = await startEmulatedHost({ auth: { basic: true }, allowUnencrypted: true, jobs: fiftyJobs() });
  let page: string;
  try {
    page = await post(big.url, buildEnumerateRequest({ to: big.url }, jobUri, { maxElements: 50 }));
  } finally {
    await big.close();
  }
  const embedded = findLocal(parseXml(getError), 'Error');
  if (!embedded) throw new Error('the GetError reply has no Error parameter');
  return [
    ['request envelope', envelope],
    ['GetError reply', getError],
    ['embedded Msvm_Error CIM-XML', textOf(embedded)],
    ['Enumerate page, 50 Msvm_ConcreteJob', page],
  ];
}

function findLocal(el: XmlElement, local: string): XmlElement | undefined {
  if (el.local === local) return el;
  for (const c of el.children) {
    if (c.kind !== 'element') continue;
    const hit = findLocal(c, local);
    if (hit) return hit;
  }
  return undefined;
}

/** Best-of-rounds microseconds per call; each round runs for about `roundMs`. */
function measure(fn: () => void, rounds = 7, roundMs = 250): number {
  let n = 1;
  for (let t0 = performance.now(); performance.now() - t0 < roundMs; n *= 2) for (let i = 0; i < n; i++) fn(); // warm-up, and size a round
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    best = Math.min(best, ((performance.now() - t0) * 1000) / n);
  }
  return best;
}

const docs = await capture();
console.log(`node ${process.version} on ${process.platform}/${process.arch}\n`);
for (const [name, xml] of docs) {
  const us = measure(() => parseXml(xml));
  const kb = Buffer.byteLength(xml) / 1024;
  console.log(`parseXml ${name.padEnd(38)} ${kb.toFixed(1).padStart(6)} KB ${us.toFixed(1).padStart(9)} µs/op ${(kb / 1024 / (us / 1e6)).toFixed(1).padStart(7)} MB/s`);
}
