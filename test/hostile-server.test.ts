// The client against a deliberately hostile server (test/helpers/hostile-server.ts), one mode per
// attack: TLS, HTTP framing, NTLM tokens, sealing, SOAP, enumeration, slowness and size. For every
// mode, both surfaces:
//   - the library throws a typed error (a HypervWsmanError with one of the expected codes);
//   - the CLI, as a real process with --verbose, exits non-zero (and not 1, "internal") within
//     CLI_DEADLINE_MS of its first connection, peaks under CLI_PEAK_RSS_MB of resident memory, and no secret (the password
//     in any encoding, our NTLM tokens, the server's tokens) appears in its stdout or stderr;
//   - the server saw no downgrade: no Basic, no SOAP in clear over HTTP, no AUTHENTICATE after a
//     CHALLENGE that cannot seal.
// slow-drip is bounded by the whole-call deadline (--call-timeout / callTimeoutSec), not by the idle timeouts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, HypervWsmanError, type ErrorCode } from '../src/errors.js';
import { WsmanClient } from '../src/wsman/client.js';
import { HYPERV_NAMESPACE, wmiResourceUri } from '../src/wsman/namespaces.js';
import { generateTestCertificates, type TestCertificates } from '../src/emulator/tls.js';
import { emptyHome } from './helpers/cli-harness.js';
import { HOSTILE_PASSWORD, HOSTILE_USER, startHostile, type HostileMode, type HostileServer } from './helpers/hostile-server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/**
 * From the CLI's first connection to its exit, against a hostile server (its timeouts are set to 1-3 s).
 * Process start is not counted: loading the TypeScript sources takes seconds on a busy machine.
 */
const CLI_DEADLINE_MS = 15_000;
/** A CLI process still running after this long (start included) is killed, and fails its test. */
const CLI_KILL_MS = 60_000;
/** The library call is aborted after this long: a hang then shows as ERR_ABORTED, not a stuck suite. */
const LIBRARY_DEADLINE_MS = 10_000;
/** Peak resident memory of that CLI process (Node + tsx alone take ~100-150 MB; hostile bodies are <= 16 MiB). */
const CLI_PEAK_RSS_MB = 400;
const JOB_URI = wmiResourceUri(HYPERV_NAMESPACE, 'Msvm_ConcreteJob');

interface ModeSpec {
  readonly mode: HostileMode;
  readonly attack: string;
  readonly codes: readonly ErrorCode[];
  readonly scheme?: 'http' | 'https';
  /** The CLI command (default: job-error, an Invoke of GetError). */
  readonly cli?: readonly string[];
  /** What the library is asked (default: Invoke GetError). */
  readonly call?: (c: WsmanClient, signal: AbortSignal) => Promise<unknown>;
  readonly todo?: string;
  /**
   * Raise the client's MaxEnvelopeSize (and so its reply cap, which otherwise stops these bodies
   * before parsing) so that the attack reaches the XML reader's own bounds.
   */
  readonly maxEnvelopeSize?: number;
}

const getError = (c: WsmanClient, signal: AbortSignal): Promise<unknown> => c.invoke(JOB_URI, 'GetError', { selectors: { InstanceID: 'X' } }, { signal });
const enumerateAll = async (c: WsmanClient, signal: AbortSignal): Promise<unknown> => {
  let n = 0;
  for await (const _ of c.enumerate(JOB_URI, {}, { signal })) n++;
  return n;
};

const MODES: readonly ModeSpec[] = [
  { mode: 'tls-plain-server', attack: 'TLS: the port answers in plain HTTP', scheme: 'https', codes: [ErrorCodes.TLS] },
  { mode: 'tls-untrusted-cert', attack: 'TLS: a certificate from an unknown CA', scheme: 'https', codes: [ErrorCodes.TLS] },
  { mode: 'http-garbage', attack: 'HTTP framing: not HTTP at all', codes: [ErrorCodes.CONNECTION, ErrorCodes.PROTOCOL] },
  { mode: 'http-short-body', attack: 'HTTP framing: Content-Length promises more than is sent', codes: [ErrorCodes.CONNECTION, ErrorCodes.PROTOCOL] },
  { mode: 'http-header-flood', attack: 'HTTP framing: 4 MB of response headers', codes: [ErrorCodes.CONNECTION, ErrorCodes.PROTOCOL, ErrorCodes.RESPONSE_TOO_LARGE] },
  { mode: 'ntlm-garbage-challenge', attack: 'NTLM: a CHALLENGE with out-of-range payload offsets', codes: [ErrorCodes.NTLM] },
  { mode: 'ntlm-huge-challenge', attack: 'NTLM: a 128 KB token in WWW-Authenticate', codes: [ErrorCodes.NTLM, ErrorCodes.CONNECTION, ErrorCodes.PROTOCOL, ErrorCodes.RESPONSE_TOO_LARGE] },
  { mode: 'ntlm-always-401', attack: 'NTLM: 401 forever (no CHALLENGE)', codes: [ErrorCodes.AUTH, ErrorCodes.NTLM] },
  { mode: 'seal-no-flags', attack: 'sealing: a CHALLENGE without SIGN/SEAL while encryption is required', codes: [ErrorCodes.NTLM] },
  { mode: 'seal-plaintext-reply', attack: 'sealing: the reply comes back in clear', codes: [ErrorCodes.ENCRYPTION] },
  { mode: 'seal-bad-signature', attack: 'sealing: a reply whose signature does not verify', codes: [ErrorCodes.NTLM_SIGNATURE] },
  { mode: 'soap-namespace-bomb', attack: 'SOAP: 300 levels, each re-declaring 100 prefixes', codes: [ErrorCodes.XML_LIMIT], maxEnvelopeSize: 16 * 1024 * 1024 },
  { mode: 'soap-deep', attack: 'SOAP: 200,000 nested elements', codes: [ErrorCodes.XML_LIMIT], maxEnvelopeSize: 16 * 1024 * 1024 },
  { mode: 'soap-entity-bomb', attack: 'SOAP: a DOCTYPE with nested entities', codes: [ErrorCodes.XML_FORBIDDEN] },
  { mode: 'soap-foreign-fault', attack: 'SOAP: a fault relating to another message', codes: [ErrorCodes.PROTOCOL] },
  { mode: 'enum-endless', attack: 'enumeration: Pull replies that never end and never carry items', codes: [ErrorCodes.PROTOCOL], cli: ['jobs'], call: enumerateAll },
  { mode: 'slow-silent', attack: 'slowness: the request is read and never answered', codes: [ErrorCodes.TIMEOUT] },
  { mode: 'slow-drip', attack: 'slowness: one byte every 200 ms, forever', codes: [ErrorCodes.TIMEOUT] },
  { mode: 'size-endless', attack: 'size: an endless sealed body', codes: [ErrorCodes.RESPONSE_TOO_LARGE] },
];

let certs: TestCertificates;
const work = mkdtempSync(join(tmpdir(), 'hyperv-wsman-hostile-'));
before(async () => {
  certs = await generateTestCertificates();
});
after(async () => {
  await certs?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

async function serverFor(spec: ModeSpec): Promise<HostileServer> {
  return startHostile(spec.mode, spec.mode === 'tls-untrusted-cert' ? { tls: { cert: certs.cert, key: certs.key } } : {});
}

/** Everything that must never be printed: the password in the forms it could leak, and every NTLM token. */
function secretsOf(server: HostileServer): string[] {
  const b64 = (s: string, enc: BufferEncoding = 'utf8'): string => Buffer.from(s, enc).toString('base64');
  return [
    HOSTILE_PASSWORD,
    b64(HOSTILE_PASSWORD),
    b64(HOSTILE_PASSWORD, 'utf16le'),
    b64(`${HOSTILE_USER}:${HOSTILE_PASSWORD}`),
    'TlRMTVNTUA', // "NTLMSSP" in base64: the start of every token, ours or the server's
    ...server.sentTokens.map((t) => t.slice(0, 24)),
  ];
}

function assertNoDowngrade(spec: ModeSpec, server: HostileServer): void {
  for (const r of server.seen) {
    assert.notEqual(r.scheme.toLowerCase(), 'basic', `${spec.mode}: the client fell back to Basic`);
    if ((spec.scheme ?? 'http') === 'http') assert.equal(r.plaintextSoap, false, `${spec.mode}: SOAP in clear over HTTP (content-type ${r.contentType})`);
  }
  if (spec.mode === 'seal-no-flags') {
    assert.ok(server.seen.some((r) => r.ntlmType === 1), 'the handshake started');
    assert.ok(!server.seen.some((r) => r.ntlmType === 3), 'no AUTHENTICATE after a CHALLENGE that cannot seal');
  }
}

interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Exit time as Date.now(). */
  readonly exitAt: number;
  readonly peakRssMb: number;
}

function runCli(spec: ModeSpec, port: number): Promise<CliRun> {
  const rssFile = join(work, `${spec.mode}.rss`);
  const argv = [
    ...(spec.cli ?? ['job-error', '--job-id', 'X', '--job-class', 'Msvm_ConcreteJob']),
    '--host', '127.0.0.1', '--port', String(port), '--scheme', spec.scheme ?? 'http', '--user', HOSTILE_USER,
    '--operation-timeout', '1', '--read-timeout', '3', '--connect-timeout', '3', '--call-timeout', '5', '--verbose',
    ...(spec.maxEnvelopeSize !== undefined ? ['--max-envelope-size', String(spec.maxEnvelopeSize)] : []),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', './test/helpers/peak-rss.ts', 'src/cli/main.ts', ...argv], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: emptyHome(), HYPERV_WSMAN_PASSWORD: HOSTILE_PASSWORD, PEAK_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const killer = setTimeout(() => child.kill('SIGKILL'), CLI_KILL_MS);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(killer);
      let peakRssMb = NaN;
      try {
        peakRssMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
      } catch {
        // killed before exit: reported as NaN, which fails the bound
      }
      resolve({ status, stdout, stderr, exitAt: Date.now(), peakRssMb });
    });
  });
}

async function libraryError(spec: ModeSpec, port: number): Promise<unknown> {
  const client = new WsmanClient({
    host: '127.0.0.1',
    port,
    scheme: spec.scheme ?? 'http',
    user: HOSTILE_USER,
    password: HOSTILE_PASSWORD,
    operationTimeoutSec: 1,
    readTimeoutSec: 3,
    callTimeoutSec: 5,
    connectTimeoutSec: 3,
    ...(spec.maxEnvelopeSize !== undefined ? { maxEnvelopeSize: spec.maxEnvelopeSize } : {}),
  });
  try {
    await (spec.call ?? getError)(client, AbortSignal.timeout(LIBRARY_DEADLINE_MS));
    return undefined;
  } catch (err) {
    return err;
  } finally {
    await client.close().catch(() => undefined);
  }
}

// Modes run side by side: each mostly waits on sockets and a child process.
describe('hostile server: every attack ends in a typed error, a prompt non-zero exit, bounded memory, no secret, no downgrade', { concurrency: 4 }, () => {
  for (const spec of MODES) {
    test(`${spec.mode}: ${spec.attack} -> ${spec.codes.join(' | ')}`, { timeout: LIBRARY_DEADLINE_MS + CLI_KILL_MS + 5_000, ...(spec.todo ? { todo: spec.todo } : {}) }, async () => {
      const server = await serverFor(spec);
      try {
        const err = await libraryError(spec, server.port);
        assert.ok(err instanceof HypervWsmanError, `library: a typed error, got ${err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err)}`);
        assert.ok(spec.codes.includes(err.code), `library: ${err.code} (${err.message}) is not one of ${spec.codes.join(', ')}`);
        const libText = `${err.message}\n${err.stack ?? ''}`;
        for (const s of secretsOf(server)) assert.ok(!libText.includes(s), `library error carries a secret (${s.slice(0, 12)}...)`);

        const before = server.connections.length;
        const run = await runCli(spec, server.port);
        const output = `${run.stdout}\n${run.stderr}`;
        // The library's connections came first; the CLI's deadline starts at its own first connection.
        const cliStart = server.connections[before];
        assert.ok(cliStart !== undefined, 'the CLI connected');
        const ms = run.exitAt - cliStart;
        assert.ok(ms < CLI_DEADLINE_MS, `CLI ran ${ms} ms after its first connection (status ${run.status})`);
        assert.ok(run.status !== null && run.status !== 0 && run.status !== 1, `CLI exit ${run.status} (0 = success, 1 = internal error)\n${run.stderr.slice(-800)}`);
        assert.ok(spec.codes.some((c) => run.stderr.includes(c)), `CLI names the error (${spec.codes.join('|')}):\n${run.stderr.slice(-800)}`);
        assert.ok(run.peakRssMb < CLI_PEAK_RSS_MB, `CLI peak RSS ${run.peakRssMb.toFixed(0)} MB >= ${CLI_PEAK_RSS_MB} MB`);
        for (const s of secretsOf(server)) assert.ok(!output.includes(s), `CLI output carries a secret (${s.slice(0, 12)}...)`);
        assertNoDowngrade(spec, server);
      } finally {
        await server.close();
      }
    });
  }
});
