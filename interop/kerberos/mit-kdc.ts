/**
 * A real MIT krb5 KDC on loopback for interop tests, entirely inside a temporary directory:
 * KRB5_CONFIG and KRB5_KDC_PROFILE point there, so /etc is never read or touched. It creates a
 * realm (kdb5_util), a user with a password and an HTTP/<host> service (kadmin.local), exports
 * their keytabs (`ktadd -norandkey`, the keys stay as they are), and can run kinit/klist/kvno
 * against it. Debian packages: krb5-kdc, krb5-admin-server, krb5-user. A missing binary fails
 * the test with the apt-get line; nothing is skipped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const MIT_PACKAGES = ['krb5-kdc', 'krb5-admin-server', 'krb5-user'] as const;

const BINARIES: Readonly<Record<string, string>> = {
  krb5kdc: '/usr/sbin/krb5kdc',
  kdb5_util: '/usr/sbin/kdb5_util',
  'kadmin.local': '/usr/sbin/kadmin.local',
  kinit: '/usr/bin/kinit',
  klist: '/usr/bin/klist',
  kvno: '/usr/bin/kvno',
  kdestroy: '/usr/bin/kdestroy',
};

export class MitKdcError extends Error {}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface MitRealm {
  readonly dir: string;
  readonly realm: string;
  readonly port: number;
  readonly krb5Conf: string;
  readonly kdcConf: string;
  /** Environment for MIT tools: our config only, C locale, UTC, no replay cache in /var/tmp. */
  readonly env: NodeJS.ProcessEnv;
  readonly user: { readonly name: string; readonly principal: string; readonly password: string; readonly keytab: string };
  readonly service: { readonly host: string; readonly principal: string; readonly keytab: string };
  /** Runs an MIT tool by its short name (kinit, klist, ...) with our environment. */
  run(tool: keyof typeof BINARIES | string, args: readonly string[], options?: { input?: string; env?: NodeJS.ProcessEnv }): Promise<RunResult>;
  /** kinit with the user's password into `ccache` (a path); then kvno for the service so the cache holds both tickets. */
  kinitPassword(ccache: string, options?: { serviceTicket?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

function binary(tool: string): string {
  const path = BINARIES[tool];
  if (path === undefined) throw new MitKdcError(`unknown MIT tool ${tool}`);
  if (!existsSync(path)) {
    throw new MitKdcError(`${path} not found: the Kerberos interop tests need MIT krb5 (apt-get install -y ${MIT_PACKAGES.join(' ')}).`);
  }
  return path;
}

function runProcess(path: string, args: readonly string[], env: NodeJS.ProcessEnv, input?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.once('error', reject);
    // A tool that exits without reading stdin (klist, kvno) closes the pipe under us: not an error.
    child.stdin.on('error', () => undefined);
    child.once('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.end(input ?? '');
  });
}

/** A port free on 127.0.0.1 for both TCP and UDP at the time of asking. */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new MitKdcError('no free loopback port for the KDC');
}

async function waitForTcp(port: number, child: ChildProcess, log: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      const text = log();
      throw new (/Address already in use/i.test(text) ? KdcPortLost : MitKdcError)(`krb5kdc exited with ${child.exitCode}:\n${text}`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new MitKdcError(`krb5kdc did not listen on 127.0.0.1:${port} within ${timeoutMs} ms:\n${log()}`);
}

export const SUPPORTED_ENCTYPES = 'aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal aes256-cts-hmac-sha384-192:normal aes128-cts-hmac-sha256-128:normal arcfour-hmac:normal';

export interface StartOptions {
  readonly realm?: string;
  /** Extra [libdefaults] lines for the generated krb5.conf. */
  readonly libdefaults?: readonly string[];
}

/** Thrown when krb5kdc could not take the port we picked (another process got it first). */
class KdcPortLost extends MitKdcError {}

/**
 * Creates the realm and starts krb5kdc; call `stop()` when done (also removes the directory).
 * The free port is picked before krb5kdc binds it, so a race with another process is retried.
 */
export async function startMitKdc(options: StartOptions = {}): Promise<MitRealm> {
  for (const tool of Object.keys(BINARIES)) binary(tool);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      if (!(err instanceof KdcPortLost) || attempt >= 3) throw err;
    }
  }
}

async function startOnce(options: StartOptions): Promise<MitRealm> {
  const realm = options.realm ?? 'EXAMPLE.TEST';
  const dir = mkdtempSync(join(tmpdir(), 'hyperv-wsman-mitkdc-'));
  const port = await freePort();
  const krb5Conf = join(dir, 'krb5.conf');
  const kdcConf = join(dir, 'kdc.conf');
  const host = 'web.example.test';
  writeFileSync(
    krb5Conf,
    [
      '# Generated by interop/kerberos/mit-kdc.ts for one test run.',
      '[libdefaults]',
      `  default_realm = ${realm}`,
      '  dns_lookup_kdc = false',
      '  dns_lookup_realm = false',
      '  rdns = false',
      '  dns_canonicalize_hostname = false',
      '  udp_preference_limit = 1',
      '  forwardable = true',
      '  ticket_lifetime = 10h',
      '  clockskew = 300',
      '  default_tkt_enctypes = aes256-cts-hmac-sha1-96 aes128-cts aes256-sha2 aes128-sha2 rc4-hmac',
      '  default_tgs_enctypes = aes256-cts-hmac-sha1-96 aes128-cts aes256-sha2 aes128-sha2 rc4-hmac',
      '  permitted_enctypes = aes rc4',
      // Debian's 1.20.1 KDC issues no RC4 session keys without this (krb5 1.21 allow_rc4, backported);
      // AD still hands them out to accounts without AES keys, so our RC4 path is tested too.
      '  allow_rc4 = true',
      ...(options.libdefaults ?? []).map((l) => `  ${l}`),
      '',
      '[realms]',
      `  ${realm} = {`,
      `    kdc = 127.0.0.1:${port}`,
      `    admin_server = 127.0.0.1:${port + 1}`,
      '  }',
      '',
      '[domain_realm]',
      `  .example.test = ${realm}`,
      `  example.test = ${realm}`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    kdcConf,
    [
      '[kdcdefaults]',
      `  kdc_listen = 127.0.0.1:${port}`,
      `  kdc_tcp_listen = 127.0.0.1:${port}`,
      '',
      '[realms]',
      `  ${realm} = {`,
      `    database_name = ${join(dir, 'principal')}`,
      `    key_stash_file = ${join(dir, 'stash')}`,
      `    acl_file = ${join(dir, 'kadm5.acl')}`,
      `    kdc_listen = 127.0.0.1:${port}`,
      `    kdc_tcp_listen = 127.0.0.1:${port}`,
      '    max_life = 10h',
      '    max_renewable_life = 7d',
      `    supported_enctypes = ${SUPPORTED_ENCTYPES}`,
      '  }',
      '',
      '[logging]',
      `  kdc = FILE:${join(dir, 'kdc.log')}`,
      `  admin_server = FILE:${join(dir, 'kadmin.log')}`,
      `  default = FILE:${join(dir, 'krb5.log')}`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'kadm5.acl'), '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    LC_ALL: 'C',
    TZ: 'UTC',
    KRB5_CONFIG: krb5Conf,
    KRB5_KDC_PROFILE: kdcConf,
    KRB5RCACHETYPE: 'none',
    KRB5CCNAME: `FILE:${join(dir, 'default.ccache')}`,
    KRB5_KTNAME: `FILE:${join(dir, 'default.keytab')}`,
    KRB5_CLIENT_KTNAME: `FILE:${join(dir, 'default-client.keytab')}`,
  };
  const run: MitRealm['run'] = (tool, args, o = {}) => runProcess(binary(tool), args, { ...env, ...o.env }, o.input);
  const must = (tool: string, args: readonly string[], input?: string) => runChecked(run, tool, args, input);
  let kdc: ChildProcess | undefined;
  const stop = async () => {
    if (kdc && kdc.exitCode === null) {
      const exited = new Promise((r) => kdc!.once('exit', r));
      kdc.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await must('kdb5_util', ['create', '-s', '-r', realm, '-P', 'master-password-for-tests', '-W']);
    const user = { name: 'alice', principal: `alice@${realm}`, password: 'Interop-Passw0rd!', keytab: join(dir, 'alice.keytab') };
    const service = { host, principal: `HTTP/${host}@${realm}`, keytab: join(dir, 'http.keytab') };
    // Renewable tickets up to 7 days, so caches carry a renew-till time as in AD.
    await must('kadmin.local', ['-r', realm, '-q', `modprinc -maxrenewlife 7d krbtgt/${realm}@${realm}`]);
    await must('kadmin.local', ['-r', realm, '-q', `addprinc +requires_preauth -maxrenewlife 7d -pw ${user.password} ${user.principal}`]);
    await must('kadmin.local', ['-r', realm, '-q', `addprinc -randkey ${service.principal}`]);
    await must('kadmin.local', ['-r', realm, '-q', `ktadd -k ${service.keytab} -norandkey ${service.principal}`]);
    await must('kadmin.local', ['-r', realm, '-q', `ktadd -k ${user.keytab} -norandkey ${user.principal}`]);
    kdc = spawn(binary('krb5kdc'), ['-n', '-r', realm], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    // If the test process dies without stop(), do not leave a KDC or keys behind.
    const started = kdc;
    process.once('exit', () => {
      if (started.exitCode === null) started.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    });
    const kdcOut: Buffer[] = [];
    kdc.stdout!.on('data', (c: Buffer) => kdcOut.push(c));
    kdc.stderr!.on('data', (c: Buffer) => kdcOut.push(c));
    await waitForTcp(port, kdc, () => Buffer.concat(kdcOut).toString('utf8'));
    return {
      dir,
      realm,
      port,
      krb5Conf,
      kdcConf,
      env,
      user,
      service,
      run,
      async kinitPassword(ccache, o = {}) {
        await must('kinit', ['-r', '2d', '-c', `FILE:${ccache}`, user.principal], user.password + '\n');
        if (o.serviceTicket ?? true) await must('kvno', ['-c', `FILE:${ccache}`, service.principal]);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function runChecked(run: MitRealm['run'], tool: string, args: readonly string[], input?: string): Promise<RunResult> {
  const r = await run(tool, args, input === undefined ? {} : { input });
  if (r.code !== 0) throw new MitKdcError(`${tool} ${args.join(' ')} exited with ${r.code}:\n${r.stdout}${r.stderr}`);
  return r;
}
