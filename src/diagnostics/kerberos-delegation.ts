/**
 * Step `kerberos-delegation` (--kerberos-delegation only): the tickets a delegating session would
 * get, through the library's own KerberosTicketSource: a forwardable TGT (asked for, or the cache's
 * checked), the service ticket, and the forwarded TGT every AP-REQ will carry. The KDC's
 * ok-as-delegate mark on the service ticket ("trusted for delegation") is reported: without it we
 * still delegate, as asked, but the domain has not agreed to it.
 */
import { TicketFlags } from '../auth/kerberos/messages.js';
import { ErrorCodes } from '../errors.js';
import { principalToString } from '../auth/kerberos/types.js';
import type { KerberosContext } from './kerberos.js';
import { failureOf } from './step-runner.js';
import type { FactValue, StepOutcome } from './types.js';

export async function checkDelegation(ctx: KerberosContext, serviceTicket: StepOutcome): Promise<StepOutcome> {
  if (serviceTicket.status !== 'pass') {
    // Negotiate without a Kerberos ticket falls back to NTLM, which has nothing to delegate.
    return {
      status: 'warn',
      summary: 'no Kerberos service ticket (see kerberos-service-ticket): the session will use NTLM, which cannot delegate credentials',
      facts: { spn: ctx.spn },
      fix: 'Fix the Kerberos steps above so the session uses Kerberos, or drop --kerberos-delegation.',
    };
  }
  const tickets = ctx.delegating();
  try {
    const service = await tickets.serviceTicket();
    const forwarded = await tickets.forwardedTgt();
    if (forwarded === undefined) return { status: 'fail', summary: 'the ticket source fetched no forwarded TGT although delegation was asked for', facts: { spn: ctx.spn }, code: ErrorCodes.INTERNAL };
    const okAsDelegate = (service.flags & TicketFlags.OK_AS_DELEGATE) !== 0;
    const facts: Record<string, FactValue> = {
      principal: principalToString(forwarded.client),
      spn: ctx.spn,
      // The ticket source refuses a TGT that is not forwardable (KerberosDelegationError), so getting here proves it.
      tgtForwardable: true,
      forwardedTgt: principalToString(forwarded.server),
      forwardedTgtExpires: forwarded.endTime.toISOString(),
      forwardedFlag: (forwarded.flags & TicketFlags.FORWARDED) !== 0,
      okAsDelegate,
    };
    const got = `forwardable TGT for ${principalToString(forwarded.client)}, forwarded TGT obtained (valid until ${forwarded.endTime.toISOString()})`;
    if (!okAsDelegate) {
      return {
        status: 'warn',
        summary: `${got}; the KDC did not mark ${ctx.spn} ok-as-delegate: --kerberos-delegation delegates anyway, Windows clients would not`,
        facts,
        fix:
          `To have the domain trust the host for delegation, an admin sets on its computer account "Trust this computer for delegation to any service (Kerberos only)" ` +
          `(Active Directory Users and Computers, Delegation tab); with an MIT KDC, the service principal's ok_as_delegate flag (kadmin: modprinc +ok_as_delegate ${ctx.spn}).`,
      };
    }
    return { status: 'pass', summary: `${got}; ${ctx.spn} is ok-as-delegate (trusted for delegation)`, facts };
  } catch (err) {
    return failureOf(err, { spn: ctx.spn });
  }
}
