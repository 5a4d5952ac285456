/**
 * KRB-ERROR codes turned into errors a person can act on. One table, one class; the clock-skew
 * and unknown-service cases carry the extra fields a caller needs (measured offset, the SPN).
 * Codes and names: RFC 4120 7.5.9; Windows meanings: MS-KILE 3.3.5.6.1, 3.3.5.6.3, 3.3.5.1.1.
 */
import { ErrorCodes, HypervWsmanError } from '../../errors.js';
import type { KrbErrorMessage } from './messages.js';
import { principalToString } from './types.js';
import { quoteServerText } from '../../server-text.js';

export const KrbErrorCode = {
  KDC_ERR_NONE: 0,
  KDC_ERR_NAME_EXP: 1,
  KDC_ERR_SERVICE_EXP: 2,
  KDC_ERR_C_PRINCIPAL_UNKNOWN: 6,
  KDC_ERR_S_PRINCIPAL_UNKNOWN: 7,
  KDC_ERR_PRINCIPAL_NOT_UNIQUE: 8,
  KDC_ERR_NULL_KEY: 9,
  KDC_ERR_CANNOT_POSTDATE: 10,
  KDC_ERR_NEVER_VALID: 11,
  KDC_ERR_POLICY: 12,
  KDC_ERR_BADOPTION: 13,
  KDC_ERR_ETYPE_NOSUPP: 14,
  KDC_ERR_SUMTYPE_NOSUPP: 15,
  KDC_ERR_CLIENT_REVOKED: 18,
  KDC_ERR_SERVICE_REVOKED: 19,
  KDC_ERR_TGT_REVOKED: 20,
  KDC_ERR_CLIENT_NOTYET: 21,
  KDC_ERR_SERVICE_NOTYET: 22,
  KDC_ERR_KEY_EXPIRED: 23,
  KDC_ERR_PREAUTH_FAILED: 24,
  KDC_ERR_PREAUTH_REQUIRED: 25,
  KRB_AP_ERR_BAD_INTEGRITY: 31,
  KRB_AP_ERR_TKT_EXPIRED: 32,
  KRB_AP_ERR_TKT_NYV: 33,
  KRB_AP_ERR_REPEAT: 34,
  KRB_AP_ERR_NOT_US: 35,
  KRB_AP_ERR_BADMATCH: 36,
  KRB_AP_ERR_SKEW: 37,
  KRB_AP_ERR_MODIFIED: 41,
  KRB_AP_ERR_BADKEYVER: 44,
  KRB_AP_ERR_NOKEY: 45,
  KRB_AP_ERR_MUT_FAIL: 46,
  KRB_ERR_RESPONSE_TOO_BIG: 52,
  KRB_ERR_GENERIC: 60,
  KDC_ERR_WRONG_REALM: 68,
} as const;

const NAMES: ReadonlyMap<number, string> = new Map(Object.entries(KrbErrorCode).map(([name, code]) => [code, name]));

/** What the client knew when the KDC refused it; fills the messages below. */
export interface KdcErrorContext {
  readonly client?: string;
  readonly server?: string;
  readonly realm: string;
  readonly skewSeconds?: number;
}

type Advice = (c: KdcErrorContext) => string;

/** Plain-language meaning and what to do (shared/docs/kerberos-facts.md §4, wording ours). */
const ADVICE: ReadonlyMap<number, Advice> = new Map<number, Advice>([
  [6, (c) => `The realm ${c.realm} does not know the user ${c.client ?? ''}; check the user name's spelling and realm (user@REALM, realm in upper case).`],
  [
    7,
    (c) =>
      `The realm ${c.realm} has no service principal ${c.server ?? ''}. Use the host name the computer is registered under in the domain (usually its FQDN, not an IP address or alias), or override the host name used for the SPN.`,
  ],
  [12, () => 'Domain policy rejected the request (for example logon restrictions on the account).'],
  [14, (c) => `No encryption type in common with the KDC of ${c.realm}: the account may have no AES keys (reset its password after enabling AES) or our allowed enctypes exclude what the domain uses.`],
  [18, (c) => `The account ${c.client ?? ''} is disabled, expired, locked out, or outside its logon hours; ask a domain administrator.`],
  [23, (c) => `The password of ${c.client ?? ''} has expired or must be changed; change it, then retry.`],
  [24, (c) => `Wrong password for ${c.client ?? ''} (pre-authentication failed). Retrying with the same password may lock the account.`],
  [31, () => 'Decryption failed at the KDC (wrong key); the password or keytab may be stale.'],
  [32, () => 'The ticket has expired; get a new one (kinit or a fresh password logon) and retry.'],
  [34, () => 'The KDC took the request for a replay; retry once.'],
  [
    37,
    (c) =>
      `Clocks differ too much: the KDC of ${c.realm} is ${c.skewSeconds === undefined ? 'out of sync with us' : `${Math.abs(c.skewSeconds)} s ${c.skewSeconds > 0 ? 'ahead of' : 'behind'} this machine`} (limit usually 300 s); fix time synchronisation (NTP) on this machine or the domain controller.`,
  ],
  [41, (c) => `The KDC could not verify the ticket for ${c.server ?? 'the service'}: the SPN may sit on the wrong or on two accounts, or a key is stale.`],
  [44, () => 'The key version does not match: the service password changed; get a new ticket.'],
  [68, (c) => `The KDC does not serve realm ${c.realm}; check the realm name and the KDC list.`],
]);

/** The KDC answered with a KRB-ERROR. `krbErrorCode` is the protocol's number (RFC 4120 7.5.9). */
export class KdcError extends HypervWsmanError {
  readonly krbErrorCode: number;
  readonly krbErrorName: string;
  /** The KDC's own text (e-text), when it sent one. */
  readonly eText?: string;
  /** Service principal the request named (for 7: the SPN that is unknown). */
  readonly server?: string;
  readonly client?: string;
  /** KDC clock minus ours, in seconds (positive: KDC ahead), when the error carried the KDC's time. */
  readonly skewSeconds?: number;

  constructor(krbErrorCode: number, context: KdcErrorContext, eText?: string) {
    const name = NAMES.get(krbErrorCode) ?? `error ${krbErrorCode}`;
    const advice = ADVICE.get(krbErrorCode)?.(context) ?? `The KDC of ${context.realm} refused the request.`;
    const detail = eText === undefined || eText === '' ? '' : ` KDC says: ${quoteServerText(eText, 512)}.`;
    super(ErrorCodes.KERBEROS_KDC, `Kerberos: ${advice} (${name}, code ${krbErrorCode})${detail}`);
    this.krbErrorCode = krbErrorCode;
    this.krbErrorName = name;
    if (eText !== undefined) this.eText = eText;
    if (context.server !== undefined) this.server = context.server;
    if (context.client !== undefined) this.client = context.client;
    if (context.skewSeconds !== undefined) this.skewSeconds = context.skewSeconds;
  }
}

/** Build the typed error for a KRB-ERROR received at local time `receivedAt`. */
export function kdcErrorFrom(err: KrbErrorMessage, context: Omit<KdcErrorContext, 'skewSeconds'>, receivedAt: Date): KdcError {
  const skewSeconds = Math.round((err.stime.getTime() + err.susec / 1000 - receivedAt.getTime()) / 1000);
  return new KdcError(
    err.errorCode,
    {
      ...context,
      ...(context.client === undefined && err.client !== undefined ? { client: principalToString(err.client) } : {}),
      ...(err.errorCode === KrbErrorCode.KRB_AP_ERR_SKEW ? { skewSeconds } : {}),
    },
    err.eText,
  );
}
