/**
 * The fault a server sends when it was addressed in the other dialect (src/wsman/dialect.ts), and
 * the hint the CLI adds to it. Only faults that say so are matched; a missing instance or class in
 * the right dialect gets no hint.
 * - cim dialect to Windows: the DMTF resource URI reaches only DMTF classes (a Version qualifier of
 *   major 2, [MS-WSMV] 3.1.4.1.1); Hyper-V's Msvm_ classes have none, and Windows answers
 *   ERROR_WSMAN_URI_NON_DMTF_CLASS, or ERROR_WSMAN_URI_WRONG_DMTF_VERSION for a class of another
 *   major version (wsmerror.h; both texts say to use a non-DMTF URI).
 * - wmi dialect to OMI: OMI takes the class from the URI's last segment and the namespace only from
 *   __cimnamespace (default interop), so the class is looked for in the wrong namespace and OMI
 *   answers wsa:DestinationUnreachable with an OMI_Error of CIMStatusCode 5 or 3 (OMI 1.0.8-6 on the
 *   wire: the Reason is the error's bare message; OMI's wsbuf.c s_cimerrors also has "CIM
 *   ERROR:INVALID_CLASS:" / "INVALID_NAMESPACE:" forms, matched too).
 */
import { WsmanFaultError } from '../wsman/fault.js';
import type { WsmanDialect } from '../wsman/dialect.js';

/** WSManFault codes (outer or provider) meaning "use a non-DMTF (WMI) resource URI". */
const USE_WMI_CODES: readonly number[] = [
  2150859065, // 0x80338139 ERROR_WSMAN_URI_NON_DMTF_CLASS
  2150859066, // 0x8033813A ERROR_WSMAN_URI_WRONG_DMTF_VERSION
];

const OMI_WRONG_NAMESPACE = /^CIM ERROR:INVALID_(?:CLASS|NAMESPACE):/;

/** OMI's fault detail: an OMI_Error whose CIMStatusCode is MI_RESULT_INVALID_NAMESPACE (3) or _INVALID_CLASS (5), whatever the Reason text. */
function isOmiWrongNamespace(d: { readonly local: string; readonly xml: string }): boolean {
  return d.local === 'OMI_Error' && /CIMStatusCode\b[^>]*>\s*[35]\s*</.test(d.xml);
}

interface WrongDialect {
  readonly sent: WsmanDialect;
  readonly matches: (f: WsmanFaultError) => boolean;
  readonly hint: (setBy: string) => string;
}

const WRONG_DIALECT: readonly WrongDialect[] = [
  {
    sent: 'cim',
    matches: (f) => [f.wsmanCode, f.providerFault?.wsmanCode].some((c) => c !== undefined && USE_WMI_CODES.includes(c)),
    hint: (setBy) => `the host is Windows WinRM, which reaches Hyper-V's classes by WMI resource URIs: use --dialect wmi (the default) or --dialect auto instead of the cim dialect${setBy}.`,
  },
  {
    sent: 'wmi',
    matches: (f) => f.subcodeName === 'wsa:DestinationUnreachable' && (OMI_WRONG_NAMESPACE.test(f.reason) || f.detailElements.some(isOmiWrongNamespace)),
    hint: (setBy) => `the host answers as OMI does, which takes the namespace only from a __cimnamespace selector: use --dialect cim or --dialect auto instead of the wmi dialect${setBy}.`,
  },
];

/**
 * The hint for a fault of a request sent in `dialect`, or undefined when the fault does not say the
 * dialect was wrong. `source` is where the dialect setting came from ('flag', '$HYPERV_WSMAN_DIALECT',
 * 'profile "omi"', or undefined for the default), named when it is not the command line.
 */
export function dialectHint(err: unknown, dialect: WsmanDialect, source: string | undefined): string | undefined {
  if (!(err instanceof WsmanFaultError)) return undefined;
  const setBy = source === undefined ? ' (the default)' : source === 'flag' ? '' : ` set by ${source}`;
  return WRONG_DIALECT.find((w) => w.sent === dialect && w.matches(err))?.hint(setBy);
}
