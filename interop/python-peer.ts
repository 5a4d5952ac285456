/**
 * Runs one of the interop/py drivers under Debian's /usr/bin/python3 (the default python3 on PATH may
 * be a pyenv build without the distribution's modules): JSON job on stdin, JSON result on stdout. A
 * missing interpreter or module fails the calling test with the Debian package to install; interop
 * tests are never skipped.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PYTHON = '/usr/bin/python3';

/** Exit status the drivers use for "a module is not importable". */
const MISSING_MODULE_EXIT = 3;

export class PythonPeerError extends Error {}

function scriptPath(script: string): string {
  return fileURLToPath(new URL(`./py/${script}`, import.meta.url));
}

/**
 * OpenSSL 3 (Debian 12) serves MD4 only from its legacy provider, and python3-ntlm-auth 1.4 takes
 * NTOWFv1's MD4 from hashlib, which fails with "unsupported hash type md4" otherwise
 * (requests/requests-ntlm#127). The provider (libssl3's ossl-modules/legacy.so) is enabled for the
 * peer processes only.
 */
const OPENSSL_LEGACY_CONF = `openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
legacy = legacy_sect
[default_sect]
activate = 1
[legacy_sect]
activate = 1
`;

let opensslConf: string | undefined;

function opensslLegacyConf(): string {
  if (opensslConf === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'hyperv-wsman-interop-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    opensslConf = join(dir, 'openssl-legacy.cnf');
    writeFileSync(opensslConf, OPENSSL_LEGACY_CONF);
  }
  return opensslConf;
}

/** The environment of the child: no proxy, so requests talks to the loopback emulator directly. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_PROXY: '*', no_proxy: '*', PYTHONDONTWRITEBYTECODE: '1', OPENSSL_CONF: opensslLegacyConf() };
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'all_proxy', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE']) delete env[name];
  return env;
}

/** How to run `interop/py/<script>` yourself (e.g. under /usr/bin/time): interpreter, arguments and environment. */
export function pythonPeerCommand(script: string): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  return { command: PYTHON, args: [scriptPath(script)], env: childEnv() };
}

/** Run `interop/py/<script>` with `job` as JSON on stdin; resolves to the parsed JSON it prints. */
export async function runPythonPeer<T>(script: string, job: unknown, debianPackages: readonly string[]): Promise<T> {
  const install = `apt-get install -y ${debianPackages.join(' ')}`;
  if (!existsSync(PYTHON)) throw new PythonPeerError(`${PYTHON} not found: the interop peers are Debian packages (${install}).`);
  const child = spawn(PYTHON, [scriptPath(script)], { env: childEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => stdout.push(c));
  child.stderr.on('data', (c: Buffer) => stderr.push(c));
  const exit = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  child.stdin.end(JSON.stringify(job));
  const code = await exit;
  const out = Buffer.concat(stdout).toString('utf8').trim();
  const err = Buffer.concat(stderr).toString('utf8').trim();
  if (code === MISSING_MODULE_EXIT) {
    const missing = JSON.parse(out) as { missingModule: string; debianPackage: string };
    throw new PythonPeerError(`Python module ${missing.missingModule} is not importable by ${PYTHON}: apt-get install -y ${missing.debianPackage} (all peers: ${install}).`);
  }
  if (code !== 0) throw new PythonPeerError(`${script} exited with ${code}:\n${err || out}`);
  try {
    return JSON.parse(out) as T;
  } catch {
    throw new PythonPeerError(`${script} printed no JSON:\n${out}\n${err}`);
  }
}

/** A driver kept running between requests (see startPythonPeer). */
export interface PythonPeerSession {
  /** Send one JSON request line; resolves to the JSON line it answers with. */
  ask<T>(request: unknown): Promise<T>;
  close(): void;
}

/**
 * Start `interop/py/<script>` as a long-lived driver: `job` as the first JSON line on stdin, then one
 * JSON request per line, each answered by one JSON line (a benchmark can then interleave its rounds
 * with ours). Resolves once the driver prints its first line (`{ "ready": true }`); a missing module
 * or an early exit rejects with what the driver said.
 */
export async function startPythonPeer(script: string, job: unknown, debianPackages: readonly string[]): Promise<PythonPeerSession> {
  const install = `apt-get install -y ${debianPackages.join(' ')}`;
  if (!existsSync(PYTHON)) throw new PythonPeerError(`${PYTHON} not found: the interop peers are Debian packages (${install}).`);
  const child = spawn(PYTHON, [scriptPath(script)], { env: childEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (c: Buffer) => stderr.push(c));
  const waiting: { resolve: (line: string) => void; reject: (err: Error) => void }[] = [];
  let exited: Error | undefined;
  createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.resolve(line));
  child.once('close', (code) => {
    exited = new PythonPeerError(`${script} exited with ${code}: ${Buffer.concat(stderr).toString('utf8').trim()}`);
    for (const w of waiting.splice(0)) w.reject(exited);
  });
  child.once('error', (err) => {
    exited = new PythonPeerError(`${script} could not run: ${err.message}`);
    for (const w of waiting.splice(0)) w.reject(exited);
  });
  const next = (): Promise<string> => (exited ? Promise.reject(exited) : new Promise((resolve, reject) => waiting.push({ resolve, reject })));
  const parse = <T>(line: string): T => {
    const v = JSON.parse(line) as T & { missingModule?: string; debianPackage?: string; error?: string };
    if (v.missingModule) throw new PythonPeerError(`Python module ${v.missingModule} is not importable by ${PYTHON}: apt-get install -y ${v.debianPackage} (all peers: ${install}).`);
    if (typeof v.error === 'string') throw new PythonPeerError(`${script}: ${v.error}`);
    return v;
  };
  const first = next();
  child.stdin.write(JSON.stringify(job) + '\n');
  try {
    parse(await first);
  } catch (err) {
    child.kill();
    throw err;
  }
  return {
    async ask<T>(request: unknown): Promise<T> {
      const line = next();
      child.stdin.write(JSON.stringify(request) + '\n');
      return parse<T>(await line);
    },
    close() {
      child.stdin.end();
      child.kill();
    },
  };
}
