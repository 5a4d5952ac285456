/**
 * Example: run the emulated Hyper-V host in the foreground, to try the other examples and the Ansible
 * playbook (examples/ansible/) by hand. It listens on 127.0.0.1 (port HYPERV_EMULATOR_PORT, default
 * 5985, or --port; 0 picks a free one), with NTLM and message encryption like a default Windows host,
 * adds the demo jobs of examples/lib/demo-jobs.ts, prints the environment the examples read, and runs
 * until interrupted (Ctrl-C or SIGTERM).
 *
 *   node --import tsx examples/start-emulator.ts [--port 5985]
 */
import { parseArgs } from 'node:util';
import { InvalidOptionError } from '../src/index.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, FIXTURE_JOB_IDS, startEmulatedHost } from '../src/emulator/index.js';
import { DEMO_JOB_IDS, addDemoJobs } from './lib/demo-jobs.js';
import { runExample } from './lib/run-example.js';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { port: { type: 'string', default: process.env.HYPERV_EMULATOR_PORT ?? '5985' } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidOptionError(`--port must be 0-65535; got "${values.port}".`);

  const host = await startEmulatedHost({ port });
  addDemoJobs(host.model);
  console.log(`Emulated Hyper-V host listening at ${host.url}`);
  console.log('Connection for the examples:');
  console.log(`  export HYPERV_WSMAN_HOST=${host.hostname} HYPERV_WSMAN_PORT=${host.port} HYPERV_WSMAN_SCHEME=http`);
  console.log(`  export HYPERV_WSMAN_USER=${DEFAULT_USER} HYPERV_WSMAN_PASSWORD='${DEFAULT_PASSWORD}'`);
  console.log('Jobs:');
  for (const [name, id] of Object.entries({ ...FIXTURE_JOB_IDS, ...DEMO_JOB_IDS })) console.log(`  ${name.padEnd(20)} ${id}`);
  console.log('Press Ctrl-C to stop.');

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await host.close();
  console.log('Stopped.');
  return 0;
}

runExample(main);
