/**
 * Step `target`: the connection options resolved exactly as a client would resolve them (endpoint,
 * transport, TLS and timeout settings), before any I/O. A client certificate that cannot be used
 * does not stop the network steps: it is reported by the `client-certificate` step.
 */
import { resolveOptions, type ConnectionOptions, type ResolvedOptions } from '../options.js';
import { failureOf } from './step-runner.js';
import { maskUrlCredentials } from '../transport/proxy-tunnel.js';
import type { FactValue, StepOutcome } from './types.js';

export interface ResolvedTarget {
  /** Options for everything that talks to the host; for transport certificate with an unusable certificate, without it. */
  readonly options: ResolvedOptions;
  /** Set when the client certificate could not be loaded (transport certificate). */
  readonly certificateError?: unknown;
}

/** Endpoint, TLS and timeouts only (no credential is checked or used). */
function endpointOnly(o: ConnectionOptions): ResolvedOptions {
  const { certPem: _c, certKeyPem: _k, certKeyPassword: _p, ...rest } = o;
  // Resolved as Basic (which needs no certificate), then labelled with the transport asked for.
  return { ...resolveOptions({ ...rest, transport: 'basic', user: o.user || '-', password: '', messageEncryption: 'auto', allowUnencrypted: true }), transport: 'certificate', user: '' };
}

export function resolveTarget(o: ConnectionOptions): { outcome: StepOutcome; target?: ResolvedTarget } {
  try {
    const options = resolveOptions(o);
    return { outcome: { status: 'pass', summary: `${options.endpoint}, --transport ${options.transport}`, facts: targetFacts(options) }, target: { options } };
  } catch (err) {
    if (o.transport !== 'certificate') return { outcome: failureOf(err) };
    try {
      const options = endpointOnly(o);
      return {
        outcome: { status: 'pass', summary: `${options.endpoint}, --transport certificate (the certificate itself is checked below)`, facts: targetFacts(options) },
        target: { options, certificateError: err },
      };
    } catch {
      return { outcome: failureOf(err) };
    }
  }
}

function targetFacts(o: ResolvedOptions): Record<string, FactValue> {
  return {
    endpoint: o.endpoint,
    transport: o.transport,
    ...(o.user !== '' ? { user: o.user } : {}),
    ...(o.scheme === 'http' ? { messageEncryption: o.encrypt } : { serverCertValidation: o.serverCertValidation }),
    ...(o.certFingerprint !== undefined ? { pinnedFingerprint: o.certFingerprint } : {}),
    ...(o.proxy !== undefined ? { proxy: maskUrlCredentials(o.proxy) } : {}),
    ...(o.kerberos !== undefined ? { kerberosService: o.kerberos.service, ...(o.kerberos.hostnameOverride !== undefined ? { kerberosHostnameOverride: o.kerberos.hostnameOverride } : {}) } : {}),
    connectTimeoutSec: o.connectTimeoutMs / 1000,
  };
}
