/**
 * Kerberos benchmarks (node --import tsx bench/kerberos.ts): message protection of a 4 KB SOAP body
 * with the WinRM split, context establishment in process, and AS + TGS exchanges against the
 * in-memory KDC over loopback TCP. Numbers are printed, never asserted.
 */
import { performance } from 'node:perf_hooks';
import { InMemoryKdc } from '../src/auth/kerberos/in-memory-kdc.js';
import { KdcClient } from '../src/auth/kerberos/kdc-client.js';
import { KerberosAcceptor, KerberosInitiator } from '../src/auth/kerberos/gss-context.js';
import { servicePrincipal } from '../src/auth/kerberos/principal-name.js';

function report(name: string, iterations: number, ms: number): void {
  console.log(`${name.padEnd(48)} ${(iterations / (ms / 1000)).toFixed(0).padStart(10)} ops/s  ${((ms * 1000) / iterations).toFixed(1).padStart(8)} µs/op`);
}

function bench(name: string, iterations: number, fn: () => void): void {
  for (let i = 0; i < Math.min(200, iterations); i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) fn();
  report(name, iterations, performance.now() - t0);
}

async function benchAsync(name: string, iterations: number, fn: () => Promise<void>): Promise<void> {
  for (let i = 0; i < 20; i++) await fn();
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) await fn();
  report(name, iterations, performance.now() - t0);
}

const kdc = new InMemoryKdc({ realm: 'EXAMPLE.COM' });
const user = kdc.addUser('bench', 'pw');
const keytab = kdc.addService('HTTP/hv01.example.com');
const spn = servicePrincipal({ host: 'hv01.example.com', realm: 'EXAMPLE.COM' });
const { tcp } = await kdc.listen();
try {
  const client = new KdcClient({ kdcs: [tcp] });
  const tgt = await client.getInitialTicket(user, { password: 'pw' });
  const st = await client.getServiceTicket(tgt, spn);

  const initiator = new KerberosInitiator({ credential: st });
  const acceptor = new KerberosAcceptor({ keytab });
  initiator.acceptReply(acceptor.accept(initiator.initialToken()));
  const soap = Buffer.alloc(4096, 0x61);
  bench('Kerberos wrap + unwrap 4 KB (aes256, WinRM split)', 5_000, () => {
    const { header, data } = initiator.wrapWinrm(soap);
    acceptor.unwrapWinrm(header, data);
  });
  bench('Kerberos AP-REQ -> AP-REP -> established', 2_000, () => {
    const i = new KerberosInitiator({ credential: st });
    i.acceptReply(new KerberosAcceptor({ keytab }).accept(i.initialToken()));
  });
  await benchAsync('TGS exchange over loopback TCP', 300, async () => {
    await client.getServiceTicket(tgt, spn);
  });
  await benchAsync('AS exchange (pre-auth, PBKDF2 4096) over TCP', 100, async () => {
    await client.getInitialTicket(user, { password: 'pw' });
  });
} finally {
  await kdc.close();
}
