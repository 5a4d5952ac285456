/**
 * `diagnoseHost`: walks one host step by step (settings, DNS, TCP, TLS, offered auth schemes, the
 * chosen transport's own checks, an authenticated Identify, the Hyper-V namespace) and reports each
 * step as pass / warn / fail / skip with what was seen and what to do. Every check calls the code the
 * client itself uses (transport, TLS verification, NTLM messages, Kerberos tickets, certificate
 * checks), so a pass means the client's own path works. Nothing secret is ever put in a step.
 */
import type { ConnectionOptions, ResolvedOptions } from '../options.js';
import { checkAuthSchemes } from './auth-schemes.js';
import { checkClientCertificate } from './certificate.js';
import { checkKdc, checkKerberosConfig, checkTickets, isKerberosRefusal, type KerberosContext } from './kerberos.js';
import { checkDelegation } from './kerberos-delegation.js';
import { checkDns, checkTcp } from './network.js';
import { checkNtlmChallenge } from './ntlm.js';
import { StepRunner, type StepListener } from './step-runner.js';
import { resolveTarget, type ResolvedTarget } from './target.js';
import { checkTls } from './tls.js';
import type { DiagnosticStep, StepId, StepOutcome } from './types.js';
import { checkHypervNamespace, checkIdentify, clientFor } from './wsman.js';
import type { IdentifyResult } from '../wsman/responses.js';

export { STEP_IDS, type DiagnosticStep, type StepId, type StepStatus, type FactValue } from './types.js';
export type { StepListener } from './step-runner.js';
export { CERT_EXPIRY_WARNING_DAYS } from './tls.js';

export interface DiagnoseSettings {
  /** Environment for KRB5_CONFIG, KRB5CCNAME, KRB5_CLIENT_KTNAME; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

export const STEP_TITLES: Readonly<Record<StepId, string>> = {
  target: 'Connection settings',
  dns: 'DNS',
  tcp: 'TCP connection',
  tls: 'TLS',
  'auth-schemes': 'Offered auth schemes',
  'client-certificate': 'Client certificate',
  'ntlm-challenge': 'NTLM challenge',
  'kerberos-config': 'Kerberos settings',
  'kerberos-kdc': 'KDC',
  'kerberos-tgt': 'Ticket-granting ticket',
  'kerberos-service-ticket': 'Service ticket',
  'kerberos-delegation': 'Delegation',
  identify: 'Authenticated Identify',
  'hyperv-namespace': 'Hyper-V namespace',
};

export async function diagnoseHost(options: ConnectionOptions, onStep?: StepListener, settings: DiagnoseSettings = {}): Promise<DiagnosticStep[]> {
  const env = settings.env ?? process.env;
  const runner = new StepRunner(onStep);
  const step = (id: StepId, needs: readonly StepId[], check: () => StepOutcome | Promise<StepOutcome>): Promise<DiagnosticStep> => runner.run(id, STEP_TITLES[id], needs, check);

  let target: ResolvedTarget | undefined;
  await step('target', [], () => {
    const r = resolveTarget(options);
    target = r.target;
    const o = r.target?.options;
    if (o !== undefined && o.transport === 'basic' && o.scheme === 'http') {
      return { ...r.outcome, status: 'warn', fix: 'Basic over http (--allow-unencrypted) sends the password and every message in clear text: use https (--scheme https) outside a lab.' };
    }
    return r.outcome;
  });
  const transport = options.transport ?? 'ntlm';
  const o = (): ResolvedOptions => target!.options;

  // Reachability.
  let addresses: string[] = [];
  // Through a proxy (given, or from the environment with proxyFromEnv) the proxy resolves and connects.
  const proxied = (): boolean => o().proxy !== undefined;
  await step('dns', ['target'], async () => {
    if (proxied()) return { status: 'skip', summary: 'skipped: the proxy resolves the host name (--proxy)' };
    const r = await checkDns(o());
    addresses = r.addresses;
    return r.outcome;
  });
  await step('tcp', ['dns'], () => (proxied() ? { status: 'skip', summary: 'skipped: the connection goes through the proxy (--proxy); see tls / auth-schemes' } : checkTcp(o(), addresses)));
  await step('tls', ['tcp'], () => (o().scheme === 'https' ? checkTls(o()) : { status: 'skip', summary: 'skipped: plain http, no TLS on this connection' }));

  let offered: readonly string[] | undefined;
  await step('auth-schemes', ['tcp', 'tls'], async () => {
    const r = await checkAuthSchemes(o());
    offered = r.offered;
    return r.outcome;
  });

  // The chosen transport's own checks.
  const authSteps: StepId[] = [];
  if (transport === 'certificate') {
    await step('client-certificate', ['target'], () => checkClientCertificate(o(), target!.certificateError));
    authSteps.push('client-certificate');
  }
  let refused = false;
  const ntlmFallback = transport === 'negotiate' && (options.user ?? '') !== '' && (options.password ?? '') !== '';
  if (transport === 'kerberos' || transport === 'negotiate') {
    // Under Negotiate with a password, "no ticket" is a warning: the session falls back to NTLM. A
    // refusal (wrong password, skew) is not: the session stops there too, so the step fails and the
    // authenticated steps are skipped (no second try of a wrong password against the KDC).
    const soften = (r: StepOutcome): StepOutcome => {
      if (r.status === 'fail' && isKerberosRefusal(r)) refused = true;
      return ntlmFallback && r.status === 'fail' && !isKerberosRefusal(r) ? { ...r, status: 'warn', fix: `${r.fix !== undefined ? r.fix + ' ' : ''}--transport negotiate will fall back to NTLM (see ntlm-challenge); fix Kerberos to avoid NTLM.` } : r;
    };
    let ctx: KerberosContext | undefined;
    await step('kerberos-config', ['target'], () => {
      const r = checkKerberosConfig(o(), env);
      ctx = r.ctx;
      return soften(r.outcome);
    });
    const noCtx: StepOutcome = { status: 'skip', summary: 'skipped: Kerberos settings could not be used (see kerberos-config)' };
    await step('kerberos-kdc', ['kerberos-config'], async () => (ctx === undefined ? noCtx : soften(await checkKdc(o(), ctx))));
    let service: StepOutcome | undefined;
    await step('kerberos-tgt', ['kerberos-kdc'], async () => {
      if (ctx === undefined) return noCtx;
      const r = await checkTickets(ctx);
      service = r.service;
      return soften(r.tgt);
    });
    const serviceStep = await step('kerberos-service-ticket', ['kerberos-tgt'], () => (service === undefined ? { status: 'skip', summary: 'skipped: no ticket-granting ticket (see kerberos-tgt)' } : soften(service)));
    if (!ntlmFallback || refused) authSteps.push('kerberos-service-ticket');
    if (options.kerberosDelegation === true) {
      // A delegation refusal stops the session too (no NTLM fallback), so identify needs this step.
      await step('kerberos-delegation', ['kerberos-service-ticket'], () => (ctx === undefined ? noCtx : checkDelegation(ctx, serviceStep)));
      authSteps.push('kerberos-delegation');
    }
  }
  if (transport === 'ntlm' || ntlmFallback) {
    await step('ntlm-challenge', ['auth-schemes'], () => checkNtlmChallenge(o(), offered));
    authSteps.push('ntlm-challenge');
  }

  // One authenticated call, then the Hyper-V namespace.
  let client: ReturnType<typeof clientFor> | undefined;
  try {
    let identity: IdentifyResult | undefined;
    await step('identify', ['tcp', 'tls', 'auth-schemes', ...authSteps], async () => {
      client = clientFor(options);
      const r = await checkIdentify(client);
      identity = r.identity;
      return r.outcome;
    });
    await step('hyperv-namespace', ['identify'], () => checkHypervNamespace(client!, identity));
  } finally {
    await client?.close();
  }
  return runner.steps;
}
