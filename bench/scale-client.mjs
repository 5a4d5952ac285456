/**
 * The measured client of the scale benchmarks (enumerate.ts, fleet.ts), in its own process so its
 * peak RSS is its own. Plain JavaScript so it can run on the built library (`node bench/scale-client.mjs`,
 * imports dist/src: what an installed package costs) or on the sources (`node --import tsx ...`,
 * imports src: tsx's loader adds its own ~100 MB). Job as JSON in argv[2]; one JSON result line on stdout.
 *
 * enumerate: {"mode":"enumerate","lib":"src"|"dist","host","port","user","password"}
 *   -> {count, wallS, cpuS, peakRssMB, requests}
 * fleet: {"mode":"fleet","lib",...,"ports":[...],"concurrency","perHostConcurrency"}
 *   -> {hosts, hostsFailed, jobsSeen, wallS, clientCpuS, peakRssMB, socketsLeftOpen, failures}
 */
const job = JSON.parse(process.argv[2]);
const lib = job.lib === 'dist' ? '../dist/src' : '../src';
const { HypervJobs } = await import(`${lib}/hyperv/jobs.js`);
const { WsmanClient } = await import(`${lib}/wsman/client.js`);
const { createSession } = await import(`${lib}/session/create-session.js`);
const { resolveOptions } = await import(`${lib}/options.js`);
const { listFleetJobs } = await import(`${lib}/hyperv/fleet.js`);

const peakRssMB = () => Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
const cpuS = (c) => (c.user + c.system) / 1e6;

async function enumerate() {
  const options = { host: job.host, port: job.port, scheme: 'http', user: job.user, password: job.password, transport: 'ntlm' };
  const session = createSession(resolveOptions(options));
  let requests = 0;
  // Count SOAP exchanges (Enumerate + Pulls), as the peer does; the NTLM handshake is inside the session.
  const counting = { exchange: (x) => (requests++, session.exchange(x)), close: () => session.close() };
  const client = new WsmanClient(options, counting);
  // The session loads its NTLM modules at its first call; load them now, before the clock starts, as
  // the peer imports winrm and requests_ntlm before its clock. Both windows then hold the same work:
  // the NTLM handshake, every Enumerate/Pull exchange and the decoding of every job.
  await import(`${lib}/session/ntlm-session.js`);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let count = 0;
  try {
    // Each job is typed (HypervJob) and dropped: memory must not grow with N.
    for await (const j of new HypervJobs(client).listJobs({ classes: ['Msvm_ConcreteJob'], ...(job.maxElements ? { maxElements: job.maxElements } : {}) })) if (j.instanceId) count++;
  } finally {
    await client.close();
  }
  const wallS = (performance.now() - t0) / 1000;
  return { count, wallS, cpuS: cpuS(process.cpuUsage(c0)), peakRssMB: peakRssMB(), requests };
}

async function fleet() {
  const sockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
  const targets = job.ports.map((port) => ({ connection: { host: '127.0.0.1', port, scheme: 'http', user: job.user, password: job.password } }));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let jobsSeen = 0;
  let hostsFailed = 0;
  const failures = [];
  for await (const r of listFleetJobs(targets, {}, { concurrency: job.concurrency, perHostConcurrency: job.perHostConcurrency })) {
    if (r.ok) jobsSeen += r.value.length;
    else {
      hostsFailed++;
      if (failures.length < 5) failures.push(`${r.host}: ${r.error.code} ${r.error.message}`);
    }
  }
  const wallS = (performance.now() - t0) / 1000;
  const clientCpuS = cpuS(process.cpuUsage(c0));
  // Let closed sockets' handles go (close callbacks run on the next turns of the loop).
  await new Promise((r) => setTimeout(r, 50));
  return { hosts: targets.length, hostsFailed, jobsSeen, wallS, clientCpuS, peakRssMB: peakRssMB(), socketsLeftOpen: sockets(), failures };
}

const result = job.mode === 'fleet' ? await fleet() : await enumerate();
process.stdout.write(JSON.stringify(result) + '\n');
