// Adversarial review of the client (attacker: the server or a man in the middle on http, a KDC,
// files the user points the CLI at, the environment). One test per finding, each failing before its
// fix; the network ones over real sockets. Findings whose fix belongs to code outside this review's
// files were `todo` with the fix named, until each was fixed.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyHome, runCapture } from './helpers/cli-harness.js';
import { messageIdOf, soapReply, startScripted } from './helpers/scripted-server.js';
import { WsmanClient } from '../src/wsman/client.js';
import { AuthenticationError } from '../src/errors.js';
import { WsmanFaultError } from '../src/wsman/fault.js';
import { KdcError } from '../src/auth/kerberos/kdc-errors.js';
import { printable } from '../src/cli/terminal-text.js';
import { listFleetJobs } from '../src/hyperv/fleet.js';
import { generateKeyPairSync } from 'node:crypto';
import { createServer as createTlsServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { toPem, writeCertificate } from '../src/x509/writer.js';
import { TlsError } from '../src/errors.js';
import { inspect } from 'node:util';
import { DEFAULT_PASSWORD, DEFAULT_USER, startEmulatedHost } from '../src/emulator/index.js';
import { ErrorCodes } from '../src/errors.js';

const work = mkdtempSync(join(tmpdir(), 'hyperv-wsman-security-review-'));
after(() => rmSync(work, { recursive: true, force: true }));

describe('files the CLI writes', () => {
  test('cert new --force replaces a world-readable client.key with a 0600 file (mode is not inherited from the old file)', async () => {
    const out = join(work, 'force');
    mkdirSync(out);
    writeFileSync(join(out, 'client.key'), 'old', { mode: 0o644 });
    const r = await runCapture(['cert', 'new', '--upn', 'svc@localhost', '--out', out, '--key-type', 'ec', '--force'], { env: { HOME: emptyHome() } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(readFileSync(join(out, 'client.key'), 'utf8'), /PRIVATE KEY/);
    assert.equal(statSync(join(out, 'client.key')).mode & 0o777, 0o600);
  });

  test('cert new --force never writes the private key through a symlink planted in --out', async () => {
    const out = join(work, 'symlink');
    mkdirSync(out);
    const victim = join(work, 'attacker-readable.txt');
    writeFileSync(victim, 'attacker', { mode: 0o666 });
    symlinkSync(victim, join(out, 'client.key'));
    const r = await runCapture(['cert', 'new', '--upn', 'svc@localhost', '--out', out, '--key-type', 'ec', '--force'], { env: { HOME: emptyHome() } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(victim, 'utf8'), 'attacker', 'the key went through the symlink');
    assert.ok(!lstatSync(join(out, 'client.key')).isSymbolicLink());
    assert.equal(statSync(join(out, 'client.key')).mode & 0o777, 0o600);
  });
});

/** Basic over plain http (opted in) against a scripted server: the simplest path to the reply parsers. */
function basicClient(port: number): WsmanClient {
  return new WsmanClient({ host: '127.0.0.1', port, scheme: 'http', transport: 'basic', allowUnencrypted: true, user: 'u', password: 'Sekr1t-pw' });
}

async function errorOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail('expected the call to fail');
}

/** What a hostile server puts in its text: bulk, a forged line, and a right-to-left override. */
const HOSTILE_TEXT = 'R'.repeat(40_000) + '\nhyperv-wsman: OK the job succeeded\u202e';

describe('server text in error messages is bounded (the full text stays in the error fields)', () => {
  test('a SOAP fault with a 40 KB reason and f:Message: the error message stays under 3 KB, one line; reason and wsmanMessage keep it all', async () => {
    const server = await startScripted((_req, body, res) => {
      res.writeHead(500, { 'content-type': 'application/soap+xml;charset=UTF-8' });
      res.end(
        soapReply(
          messageIdOf(body),
          `<s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code><s:Reason><s:Text xml:lang="en-US">${HOSTILE_TEXT}</s:Text></s:Reason>` +
            `<s:Detail><f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="5" Machine="hv"><f:Message>${HOSTILE_TEXT}</f:Message></f:WSManFault></s:Detail></s:Fault>`,
        ),
      );
    });
    const client = basicClient(server.port);
    try {
      const err = await errorOf(client.identify());
      assert.ok(err instanceof WsmanFaultError, String(err));
      assert.ok(err.message.length < 3000, `message is ${err.message.length} characters`);
      assert.ok(!err.message.includes('\n'));
      assert.match(err.message, /more characters/);
      assert.match(err.message, /WSManFault 0x00000005/);
      assert.equal(err.reason.length, HOSTILE_TEXT.replace(/\s+/g, ' ').length);
      assert.ok((err.wsmanMessage ?? '').length >= 40_000);
    } finally {
      await client.close();
      await server.close();
    }
  });

  test('a 401 offering 3000 made-up schemes (40 KB of header): the refusal names a bounded list', async () => {
    const schemes = Array.from({ length: 3000 }, (_, i) => `S${i}x r`).join(', ');
    const server = await startScripted((_req, _body, res) => {
      res.writeHead(401, { 'www-authenticate': schemes });
      res.end();
    });
    const client = basicClient(server.port);
    try {
      const err = await errorOf(client.identify());
      assert.ok(err instanceof AuthenticationError, String(err));
      assert.ok(err.message.length < 2000, `message is ${err.message.length} characters`);
    } finally {
      await client.close();
      await server.close();
    }
  });

  test("a KRB-ERROR's e-text is quoted on one line and bounded", () => {
    const err = new KdcError(24, { realm: 'LAB.EXAMPLE', client: 'op@LAB.EXAMPLE' }, HOSTILE_TEXT);
    assert.ok(err.message.length < 2000, `message is ${err.message.length} characters`);
    assert.ok(!err.message.includes('\n'));
    assert.equal(err.eText, HOSTILE_TEXT);
  });
});

describe('terminal-safe output', () => {
  test('bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) are shown escaped, so server text cannot reorder a line', () => {
    for (const c of ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c']) {
      const shown = printable(`job ${c}deliaf`);
      assert.ok(!shown.includes(c), `U+${c.charCodeAt(0).toString(16)} passed through`);
      assert.equal(JSON.parse(`"${shown}"`), `job ${c}deliaf`, 'the escape decodes back inside JSON');
    }
  });
});

describe('a hostile server that never ends an enumeration', () => {
  const JOB_NS = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2/Msvm_ConcreteJob';
  const job = (i: number): string => `<p:Msvm_ConcreteJob xmlns:p="${JOB_NS}"><p:InstanceID>J${i}</p:InstanceID><p:JobState>7</p:JobState></p:Msvm_ConcreteJob>`;
  /** Items per Pull (the client asks for fewer; nothing makes the server listen) and when the test gives up on the library. */
  const PER_PAGE = 500;
  const GIVE_UP_AFTER_ITEMS = 30_000;

  test(
    'listFleetJobs (and so `jobs --inventory`) stops a host that sends jobs forever with a typed error, instead of collecting them until memory runs out',
    async () => {
      let served = 0;
      const stop = new AbortController();
      const server = await startScripted((_req, body, res) => {
        const pull = body.includes('/enumeration/Pull');
        const items = pull ? Array.from({ length: PER_PAGE }, () => job(served++)).join('') : '';
        if (served >= GIVE_UP_AFTER_ITEMS) stop.abort();
        res.writeHead(200, { 'content-type': 'application/soap+xml;charset=UTF-8' });
        res.end(
          soapReply(
            messageIdOf(body),
            pull
              ? `<n:PullResponse><n:EnumerationContext>uuid:endless</n:EnumerationContext><n:Items>${items}</n:Items></n:PullResponse>`
              : '<n:EnumerateResponse><n:EnumerationContext>uuid:endless</n:EnumerationContext></n:EnumerateResponse>',
          ),
        );
      });
      try {
        const target = { connection: { host: '127.0.0.1', port: server.port, scheme: 'http' as const, transport: 'basic' as const, allowUnencrypted: true, user: 'u', password: 'p' } };
        let outcome: unknown;
        try {
          for await (const r of listFleetJobs([target], { classes: ['Msvm_ConcreteJob'] }, { signal: stop.signal })) outcome = r;
        } catch (err) {
          outcome = err;
        }
        assert.ok(
          (outcome as { ok?: boolean; error?: { code?: string } } | undefined)?.ok === false && (outcome as { error: { code?: string } }).error.code === ErrorCodes.PROTOCOL,
          `the host is reported failed by the library itself after at most ${GIVE_UP_AFTER_ITEMS} items; got ${outcome instanceof Error ? outcome.constructor.name : JSON.stringify(outcome)?.slice(0, 200)} after ${served} items`,
        );
      } finally {
        await server.close();
      }
    },
  );
});

describe('credentials the user misplaced are not echoed back', () => {
  for (const host of ['https://op:Sekr1t-pw@hv01:99999/wsman', 'op:Sekr1t-pw@hv01']) {
    test(`--host ${JSON.stringify(host)} (malformed, with a password in it): the error does not repeat the password`, async () => {
      const r = await runCapture(['identify', '--host', host, '--user', 'u', '--json'], { env: { HOME: emptyHome(), HYPERV_WSMAN_PASSWORD: 'x' } });
      assert.equal(r.code, 2, r.stderr);
      assert.ok(!(r.stdout + r.stderr).includes('Sekr1t-pw'), r.stderr);
    });
  }
});

describe('inputs the CLI reads are bounded', () => {
  test(
    '--password-stdin from a pipe is capped like --password-file (64 KiB), not read to the end whatever its size',
    async () => {
      const r = await runCapture(['identify', '--host', '127.0.0.1', '--port', '1', '--user', 'u', '--password-stdin', '--connect-timeout', '2'], {
        env: { HOME: emptyHome() },
        stdin: 'p'.repeat(1024 * 1024),
      });
      assert.equal(r.code, 2, `exit ${r.code}: ${r.stderr}`);
      assert.match(r.stderr, /standard input/);
    },
  );
});

describe('a server certificate chosen by the attacker', () => {
  /** A TLS listener whose self-signed certificate has a 20 KB subject CN and 1000 DNS names. */
  async function hostileTls(): Promise<{ port: number; pem: string; close(): Promise<void> }> {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const der = writeCertificate({
      subject: `evil${'\u202e'}${'C'.repeat(20_000)}`,
      publicKey,
      signingKey: privateKey,
      notBefore: new Date(Date.now() - 3_600_000),
      notAfter: new Date(Date.now() + 86_400_000),
      ca: false,
      altNames: Array.from({ length: 1000 }, (_, i) => `DNS:h${i}.not-your-host.example`),
    });
    const server = createTlsServer({ cert: toPem(der), key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string }, (s) => s.end());
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { port: (server.address() as AddressInfo).port, pem: toPem(der), close: () => new Promise<void>((r) => server.close(() => r())) };
  }

  for (const trusted of [false, true]) {
    test(`its subject and names are quoted bounded in the TLS error (${trusted ? 'trusted, but not for this name' : 'self-signed'})`, async () => {
      const server = await hostileTls();
      const client = new WsmanClient({
        host: '127.0.0.1',
        port: server.port,
        scheme: 'https',
        user: 'u',
        password: 'p',
        // Untrusted: the self-signed verdict names the subject. Trusted: the name mismatch lists the certificate's names.
        ...(trusted ? { ca: server.pem } : {}),
      });
      try {
        const err = await errorOf(client.identify());
        assert.ok(err instanceof TlsError, String(err));
        assert.ok(err.message.length < 3000, `message is ${err.message.length} characters`);
        assert.ok(!err.message.includes('\n'));
      } finally {
        await client.close();
        await server.close();
      }
    });
  }
});

describe('secrets in objects a caller may log', () => {
  test('console.log / util.inspect of a client after an NTLM call, and JSON.stringify of its options, show no password', async () => {
    const host = await startEmulatedHost({});
    const client = new WsmanClient({ host: host.hostname, port: host.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD });
    try {
      await client.identify();
      const shown = [inspect(client, { depth: 20 }), inspect(client.options, { depth: 20 }), JSON.stringify(client.options)];
      for (const text of shown) {
        assert.ok(!text.includes(DEFAULT_PASSWORD), `the password shows in: ${text.slice(0, 200)}`);
        assert.ok(!text.includes(Buffer.from(DEFAULT_PASSWORD, 'utf16le').toString('hex')));
      }
      assert.match(shown[2]!, /"password":"<redacted>"/);
      // The options still read as before.
      assert.equal(client.options.password, DEFAULT_PASSWORD);
      assert.equal({ ...client.options }.password, DEFAULT_PASSWORD);
    } finally {
      await client.close();
      await host.close();
    }
  });
});

describe('files that decide whom the client trusts', () => {
  test('a config file writable by every user is refused (anyone could point a profile at their host with TLS checks off)', async () => {
    const file = join(work, 'shared-config.json');
    writeFileSync(file, JSON.stringify({ defaults: { host: 'hv01', 'server-cert-validation': 'ignore' } }));
    chmodSync(file, 0o666);
    const r = await runCapture(['config', 'show', '--config', file], { env: { HOME: emptyHome() } });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /writable by every user .*chmod o-w/);
  });

  test('a --ca-trust-path bundle writable by every user is refused before any connection (anyone could add a CA)', async () => {
    const host = await startEmulatedHost({});
    const file = join(work, 'shared-ca.pem');
    writeFileSync(file, '-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n');
    chmodSync(file, 0o666);
    try {
      const r = await runCapture(['identify', '--host', host.hostname, '--port', String(host.port), '--scheme', 'https', '--user', DEFAULT_USER, '--ca-trust-path', file], {
        env: { HOME: emptyHome(), HYPERV_WSMAN_PASSWORD: DEFAULT_PASSWORD },
      });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /--ca-trust-path .* is writable by every user/);
      assert.equal(host.requests?.length ?? 0, 0);
    } finally {
      await host.close();
    }
  });
});

describe('files that hold keys', () => {
  test(
    'a --keytab readable by other users gets the same warning as a shared password file or private key',
    async () => {
      const keytab = join(work, 'shared.keytab');
      writeFileSync(keytab, Buffer.from([0x05, 0x02]));
      chmodSync(keytab, 0o644);
      const r = await runCapture(['identify', '--host', '127.0.0.1', '--port', '1', '--transport', 'kerberos', '--keytab', keytab, '--kdc', '127.0.0.1:1', '--connect-timeout', '2'], {
        env: { HOME: emptyHome() },
      });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /keytab .*readable by other users/);
    },
  );
});
