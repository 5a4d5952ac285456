/**
 * Steps `dns` and `tcp`: does the name resolve (to which addresses), and does anything accept a TCP
 * connection on the WinRM port of one of them within the connect timeout.
 */
import { promises as dns } from 'node:dns';
import { connect, isIP } from 'node:net';
import { ErrorCodes } from '../errors.js';
import type { ResolvedOptions } from '../options.js';
import type { StepOutcome } from './types.js';

/** The host of the endpoint URL, without IPv6 brackets. */
export function endpointHost(o: ResolvedOptions): string {
  return new URL(o.endpoint).hostname.replace(/^\[|\]$/g, '');
}

export function endpointPort(o: ResolvedOptions): number {
  const u = new URL(o.endpoint);
  return Number(u.port || (u.protocol === 'https:' ? 443 : 80));
}

const usesKerberos = (o: ResolvedOptions): boolean => o.transport === 'kerberos' || o.transport === 'negotiate';

export async function checkDns(o: ResolvedOptions): Promise<{ outcome: StepOutcome; addresses: string[] }> {
  const host = endpointHost(o);
  if (isIP(host) !== 0) {
    if (usesKerberos(o) && o.kerberos?.hostnameOverride === undefined) {
      return {
        addresses: [host],
        outcome: {
          status: 'warn',
          summary: `${host} is an IP address (no lookup); the Kerberos SPN becomes ${o.kerberos?.service ?? 'HTTP'}/${host}, which domains rarely register`,
          facts: { addresses: [host], ipAddress: true },
          fix: `Kerberos names the service by host name (SPN HTTP/<name>): pass --kerberos-hostname-override with the name the host is registered under in the domain, or connect with --host <that name>.`,
        },
      };
    }
    return { addresses: [host], outcome: { status: 'pass', summary: `${host} is an IP address (no lookup needed)`, facts: { addresses: [host], ipAddress: true } } };
  }
  try {
    const found = await dns.lookup(host, { all: true, verbatim: true });
    const addresses = found.map((a) => a.address);
    return { addresses, outcome: { status: 'pass', summary: `${host} resolves to ${addresses.join(', ')}`, facts: { addresses } } };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return {
      addresses: [],
      outcome: {
        status: 'fail',
        summary: `${host} does not resolve (${code})`,
        facts: { host, dnsError: code },
        fix: `Check the spelling of --host (a fully qualified name such as hv01.corp.example.com may be needed), this machine's DNS servers and /etc/hosts; or pass the host's IP address with --host${usesKerberos(o) ? ' and its registered name with --kerberos-hostname-override' : ''}.`,
        code: ErrorCodes.CONNECTION,
      },
    };
  }
}

/** Tries the addresses in order; stops at the first that accepts. */
export async function checkTcp(o: ResolvedOptions, addresses: readonly string[]): Promise<StepOutcome> {
  const port = endpointPort(o);
  const tried: string[] = [];
  let timedOut = 0;
  for (const address of addresses.slice(0, 4)) {
    const r = await tryConnect(address, port, o.connectTimeoutMs);
    if (r === 'connected') {
      return { status: 'pass', summary: `connected to ${show(address)}:${port}`, facts: { address, port, ...(tried.length ? { notAnswering: tried } : {}) } };
    }
    if (r === 'ETIMEDOUT') timedOut++;
    tried.push(`${show(address)} (${r})`);
  }
  const listener = o.scheme === 'https' ? `https on 5986` : `http on 5985`;
  return {
    status: 'fail',
    summary: `nothing accepted a TCP connection on port ${port}: ${tried.join(', ')}`,
    facts: { port, tried },
    fix:
      `WinRM listens on 5985 (http) and 5986 (https); this check used port ${port} (${o.scheme}). On the host: run \`winrm quickconfig\` (http listener)` +
      `${o.scheme === 'https' ? ' or create an https listener (winrm quickconfig -transport:https, with a certificate)' : ''}, list listeners with \`winrm enumerate winrm/config/listener\`, ` +
      `and open the port in the Windows firewall and any firewall in between. If WinRM uses another port, pass --port (expected: ${listener}).` +
      (timedOut > 0 ? ` A timeout (no answer at all) usually means a firewall drops the packets; --connect-timeout sets the wait.` : ''),
    code: timedOut === tried.length && timedOut > 0 ? ErrorCodes.TIMEOUT : ErrorCodes.CONNECTION,
  };
}

const show = (a: string): string => (a.includes(':') ? `[${a}]` : a);

/** 'connected', or the error code of the attempt (ETIMEDOUT after timeoutMs). */
export function tryConnect(host: string, port: number, timeoutMs: number): Promise<'connected' | string> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const timer = setTimeout(() => done('ETIMEDOUT'), timeoutMs);
    function done(r: string): void {
      clearTimeout(timer);
      s.destroy();
      resolve(r);
    }
    s.once('connect', () => done('connected'));
    s.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? 'error'));
  });
}
