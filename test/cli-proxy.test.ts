// --proxy and --proxy-from-env: the CLI reaches the emulated host through an HTTP CONNECT proxy only
// when told to; environment proxies are ignored unless asked for; proxy credentials stay off argv.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT } from '../src/cli/exit-codes.js';
import { startEmulatedHost, type EmulatedHost } from '../src/emulator/index.js';
import { defaultEnv, hostArgs, runCapture } from './helpers/cli-harness.js';
import { startProxy } from './helpers/connect-proxy.js';

let host: EmulatedHost;
let proxy: Awaited<ReturnType<typeof startProxy>>;
before(async () => {
  host = await startEmulatedHost();
  proxy = await startProxy();
});
after(async () => {
  await host.close();
  await proxy.close();
});

/** A port nothing listens on: a proxy there would make the call fail. */
const DEAD_PROXY = 'http://127.0.0.1:1';

test('--proxy: the exchange goes through the CONNECT tunnel', async () => {
  const before = proxy.connects.length;
  const r = await runCapture(['identify', ...hostArgs(host), '--proxy', proxy.url, '--verbose']);
  assert.equal(r.code, EXIT.OK, r.stderr);
  assert.deepEqual(proxy.connects.slice(before), [`127.0.0.1:${host.port}`]);
  assert.ok(r.stderr.includes(`hyperv-wsman: proxy ${proxy.url}\n`));
});

test('environment proxies are ignored unless --proxy-from-env', async () => {
  const env = { ...defaultEnv(), HTTP_PROXY: DEAD_PROXY };
  const direct = await runCapture(['identify', ...hostArgs(host)], { env });
  assert.equal(direct.code, EXIT.OK, direct.stderr);
  const viaDead = await runCapture(['identify', ...hostArgs(host), '--proxy-from-env'], { env });
  assert.equal(viaDead.code, EXIT.CONNECTION, 'the environment proxy was used when asked for');

  const before = proxy.connects.length;
  const viaProxy = await runCapture(['identify', ...hostArgs(host), '--proxy-from-env'], { env: { ...defaultEnv(), HTTP_PROXY: proxy.url } });
  assert.equal(viaProxy.code, EXIT.OK, viaProxy.stderr);
  assert.equal(proxy.connects.length, before + 1);
});

test('--proxy-from-env honours NO_PROXY', async () => {
  const r = await runCapture(['identify', ...hostArgs(host), '--proxy-from-env'], { env: { ...defaultEnv(), HTTP_PROXY: DEAD_PROXY, NO_PROXY: '127.0.0.1' } });
  assert.equal(r.code, EXIT.OK, r.stderr);
});

test('proxy credentials on the command line are refused, and not echoed', async () => {
  const r = await runCapture(['identify', ...hostArgs(host), '--proxy', 'http://alice:pr0xy-secret@127.0.0.1:3128']);
  assert.equal(r.code, EXIT.USAGE);
  assert.match(r.stderr, /Proxy credentials are not taken from the command line.*--proxy-from-env/);
  assert.ok(!r.stderr.includes('pr0xy-secret'));
});

test('--proxy and --proxy-from-env together, or a non-http proxy, are usage errors', async () => {
  for (const flags of [['--proxy', proxy.url, '--proxy-from-env'], ['--proxy', 'socks5://127.0.0.1:1080']]) {
    const r = await runCapture(['identify', ...hostArgs(host), ...flags]);
    assert.equal(r.code, EXIT.USAGE, flags.join(' '));
  }
});
