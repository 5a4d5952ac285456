/** Maps errors to the process exit codes (exit-status.ts); scripts branch on these. */
import { ErrorCodes, HypervWsmanError, type ErrorCode } from '../errors.js';
import { isNotFoundFault, WsmanFaultError } from '../wsman/fault.js';
import { EXIT } from './exit-status.js';

export { EXIT } from './exit-status.js';

const BY_ERROR_CODE: Readonly<Partial<Record<ErrorCode, number>>> = {
  [ErrorCodes.INVALID_OPTION]: EXIT.USAGE,
  // A value the user typed that XML 1.0 cannot carry (e.g. a NUL in --param).
  [ErrorCodes.XML_ENCODE]: EXIT.USAGE,
  [ErrorCodes.AUTH]: EXIT.AUTH,
  [ErrorCodes.NTLM]: EXIT.AUTH,
  [ErrorCodes.KERBEROS]: EXIT.AUTH,
  [ErrorCodes.KERBEROS_KDC]: EXIT.AUTH,
  [ErrorCodes.KERBEROS_INTEGRITY]: EXIT.AUTH,
  // Kerberos material that cannot be used, or no KDC for the realm: the credentials cannot be had.
  [ErrorCodes.KDC_NOT_FOUND]: EXIT.AUTH,
  [ErrorCodes.KRB5_CONFIG]: EXIT.AUTH,
  [ErrorCodes.KRB5_CCACHE]: EXIT.AUTH,
  [ErrorCodes.KRB5_KEYTAB]: EXIT.AUTH,
  [ErrorCodes.CONNECTION]: EXIT.CONNECTION,
  [ErrorCodes.TLS]: EXIT.CONNECTION,
  [ErrorCodes.TIMEOUT]: EXIT.CONNECTION,
  [ErrorCodes.HTTP_STATUS]: EXIT.CONNECTION,
  [ErrorCodes.WSMAN_FAULT]: EXIT.WSMAN_FAULT,
  [ErrorCodes.PROTOCOL]: EXIT.WSMAN_FAULT,
  [ErrorCodes.XML_MALFORMED]: EXIT.WSMAN_FAULT,
  [ErrorCodes.XML_FORBIDDEN]: EXIT.WSMAN_FAULT,
  [ErrorCodes.XML_TOO_LARGE]: EXIT.WSMAN_FAULT,
  [ErrorCodes.XML_LIMIT]: EXIT.WSMAN_FAULT,
  [ErrorCodes.RESPONSE_TOO_LARGE]: EXIT.WSMAN_FAULT,
  [ErrorCodes.CIM_DECODE]: EXIT.WSMAN_FAULT,
  [ErrorCodes.DER]: EXIT.WSMAN_FAULT,
  [ErrorCodes.NTLM_SIGNATURE]: EXIT.WSMAN_FAULT,
  [ErrorCodes.ENCRYPTION]: EXIT.WSMAN_FAULT,
  [ErrorCodes.NOT_FOUND]: EXIT.NOT_FOUND,
  [ErrorCodes.JOB_FAILED]: EXIT.JOB_FAILED,
  [ErrorCodes.JOB_TIMEOUT]: EXIT.JOB_TIMEOUT,
};

/**
 * A wait stopped by a signal (Ctrl-C is SIGINT): 128 + the signal's number, as shells report a
 * process the signal killed, so `$?` reads the same whether or not the CLI caught it first.
 */
export const EXIT_ON_SIGNAL = { SIGINT: 130, SIGTERM: 143 } as const;

/** The exit code for a library error code (doctor: the first failed step's code). */
export function exitCodeForErrorCode(code: ErrorCode): number {
  return BY_ERROR_CODE[code] ?? EXIT.INTERNAL;
}

export function exitCodeFor(err: unknown): number {
  // "No such instance" arrives as a WS-Man fault (wsa:DestinationUnreachable / WMI not found); it means the same as a missing job.
  if (err instanceof WsmanFaultError && isNotFoundFault(err)) return EXIT.NOT_FOUND;
  if (err instanceof HypervWsmanError) return BY_ERROR_CODE[err.code] ?? EXIT.INTERNAL;
  return EXIT.INTERNAL;
}
