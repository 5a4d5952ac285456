/**
 * Step `ntlm-challenge`: send an NTLM NEGOTIATE (no credentials in it) and decode the host's
 * CHALLENGE: the NetBIOS and DNS names of its domain and computer (what --user's DOMAIN\ part
 * should say), its clock (MsvAvTimestamp), and whether it offers signing and sealing (WinRM message
 * encryption over http needs sealing).
 */
import { ErrorCodes } from '../errors.js';
import { AvId, avPairString, decodeChallenge, encodeNegotiate, findAvPair, type ChallengeMessage } from '../auth/ntlm/messages.js';
import { CLIENT_NEGOTIATE_FLAGS, hasFlag, NegotiateFlags } from '../auth/ntlm/flags.js';
import { CLIENT_VERSION, parseNtlmUser } from '../auth/ntlm/client-context.js';
import { filetimeToDate } from '../auth/ntlm/ntlmv2.js';
import type { ResolvedOptions } from '../options.js';
import { createTransport } from '../session/create-session.js';
import { SOAP_CONTENT_TYPE } from '../session/session.js';
import { failureOf } from './step-runner.js';
import type { FactValue, StepOutcome } from './types.js';

/** Clock difference worth a warning: Kerberos refuses beyond 5 minutes (MS-KILE); NTLM itself is lenient. */
const SKEW_WARNING_SECONDS = 300;

export async function checkNtlmChallenge(o: ResolvedOptions, offered: readonly string[] | undefined, now: () => Date = () => new Date()): Promise<StepOutcome> {
  const scheme = offered !== undefined && !offered.some((s) => s.toLowerCase() === 'negotiate') && offered.some((s) => s.toLowerCase() === 'ntlm') ? 'NTLM' : 'Negotiate';
  const negotiate = encodeNegotiate({ flags: CLIENT_NEGOTIATE_FLAGS, version: CLIENT_VERSION });
  const transport = createTransport(o);
  let challenge: ChallengeMessage;
  try {
    const res = await transport.post({
      headers: { authorization: `${scheme} ${Buffer.from(negotiate).toString('base64')}`, 'content-type': SOAP_CONTENT_TYPE },
      body: '',
      timeoutMs: o.readTimeoutMs,
      deadline: Date.now() + o.callTimeoutMs,
    });
    const token = challengeToken(res.headers['www-authenticate']);
    if (res.status !== 401 || token === undefined) {
      return {
        status: 'fail',
        summary: `the host answered NTLM NEGOTIATE with HTTP ${res.status} and no CHALLENGE`,
        facts: { httpStatus: res.status },
        fix: 'The host does not speak NTLM under ' + scheme + ': enable it (winrm set winrm/config/service/auth @{Negotiate="true"}) or use --transport kerberos.',
        code: ErrorCodes.NTLM,
      };
    }
    challenge = decodeChallenge(token);
  } catch (err) {
    return failureOf(err);
  } finally {
    void transport.close();
  }
  const info = challenge.targetInfo;
  const ts = findAvPair(info, AvId.TIMESTAMP);
  const serverTime = ts !== undefined && ts.value.length === 8 ? filetimeToDate(ts.value) : undefined;
  const skew = serverTime !== undefined ? Math.round((serverTime.getTime() - now().getTime()) / 1000) : undefined;
  const signing = hasFlag(challenge.flags, NegotiateFlags.SIGN);
  const sealing = hasFlag(challenge.flags, NegotiateFlags.SEAL);
  const facts: Record<string, FactValue> = {
    scheme,
    targetName: challenge.targetName,
    ...named('netbiosDomain', avPairString(info, AvId.NB_DOMAIN_NAME)),
    ...named('netbiosComputer', avPairString(info, AvId.NB_COMPUTER_NAME)),
    ...named('dnsDomain', avPairString(info, AvId.DNS_DOMAIN_NAME)),
    ...named('dnsComputer', avPairString(info, AvId.DNS_COMPUTER_NAME)),
    ...named('dnsForest', avPairString(info, AvId.DNS_TREE_NAME)),
    ...(serverTime !== undefined ? { hostTime: serverTime.toISOString() } : {}),
    ...(skew !== undefined ? { clockDifferenceSeconds: skew } : {}),
    signing,
    sealing,
  };
  const who = `${facts.netbiosDomain ?? challenge.targetName}\\${facts.netbiosComputer ?? '?'}${facts.dnsComputer !== undefined ? ` (${facts.dnsComputer as string})` : ''}`;
  const userHint = userDomainHint(o.user, facts.netbiosDomain as string | undefined, facts.netbiosComputer as string | undefined);
  if (o.encrypt && !sealing) {
    return { status: 'fail', summary: `host ${who} does not offer NTLM sealing, which message encryption over http needs`, facts, fix: 'Use https (--scheme https, port 5986), where TLS protects the messages.', code: ErrorCodes.NTLM };
  }
  const base = `host ${who}; signing ${signing ? 'offered' : 'not offered'}, sealing ${sealing ? 'offered' : 'not offered'}${skew !== undefined ? `; host clock ${skew >= 0 ? '+' : ''}${skew} s from ours` : ''}`;
  if (skew !== undefined && Math.abs(skew) > SKEW_WARNING_SECONDS) {
    return { status: 'warn', summary: base, facts, fix: `The host's clock is ${Math.abs(skew)} s ${skew > 0 ? 'ahead of' : 'behind'} this machine's: fix time synchronisation (NTP); Kerberos refuses more than 5 minutes.${userHint}` };
  }
  return { status: 'pass', summary: base + (userHint !== '' ? ' (see note)' : ''), facts, ...(userHint !== '' ? { fix: userHint.trim() } : {}) };
}

const named = (k: string, v: string | undefined): Record<string, string> => (v === undefined || v === '' ? {} : { [k]: v });

/** A note when --user names a domain that is neither the host's domain nor the computer (a typo is a common cause of 401). */
function userDomainHint(user: string, domain: string | undefined, computer: string | undefined): string {
  if (user === '') return '';
  let parsed;
  try {
    parsed = parseNtlmUser(user);
  } catch {
    return '';
  }
  const d = parsed.domain.toUpperCase();
  if (d === '' || d === '.' || d === domain?.toUpperCase() || d === computer?.toUpperCase() || d.split('.')[0] === domain?.toUpperCase()) return '';
  return ` --user names domain ${parsed.domain}; the host is in ${domain ?? '?'} (computer ${computer ?? '?'}): for a domain account use ${domain ?? 'DOMAIN'}\\user, for a local account ${computer ?? 'COMPUTER'}\\user.`;
}

function challengeToken(v: string | string[] | undefined): Uint8Array | undefined {
  for (const h of Array.isArray(v) ? v : v ? [v] : []) {
    for (const part of h.split(',')) {
      const m = /^\s*(?:Negotiate|NTLM)\s+([A-Za-z0-9+/=]+)\s*$/i.exec(part);
      if (m) return Buffer.from(m[1]!, 'base64');
    }
  }
  return undefined;
}
