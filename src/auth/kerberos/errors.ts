/**
 * Kerberos error classes. KDC errors (KRB-ERROR from the KDC) live in kdc-errors.ts with their table.
 */
import { ErrorCodes, HypervWsmanError } from '../../errors.js';

/** Malformed Kerberos/GSS/SPNEGO bytes, a protocol violation by the peer, or misuse of a context. */
export class KerberosError extends HypervWsmanError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCodes.KERBEROS, message, options);
  }
}

/** Decryption or checksum verification failed: wrong key, wrong password, or tampering. */
export class KerberosIntegrityError extends HypervWsmanError {
  constructor(message: string) {
    super(ErrorCodes.KERBEROS_INTEGRITY, message);
  }
}
