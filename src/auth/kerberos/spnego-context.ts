/**
 * Kerberos inside SPNEGO, as HTTP `Negotiate` carries it: the initiator offers krb5 only (with
 * the AP-REQ as optimistic mechToken) and expects accept-completed with the AP-REP; the acceptor
 * also takes a bare krb5 token under Negotiate (as pywinrm sends) and answers in kind.
 */
import { KerberosError } from './errors.js';
import { KRB5_OID, MS_KRB5_OID, splitMechOid } from './gss-framing.js';
import type { KerberosAcceptor, KerberosInitiator } from './gss-context.js';
import { NegState, SPNEGO_OID, decodeNegTokenInit, decodeNegTokenResp, encodeMechTypeList, encodeNegTokenInit, encodeNegTokenResp, isKerberosMech } from './spnego.js';

const OFFERED = [KRB5_OID] as const;

export class SpnegoInitiator {
  readonly kerberos: KerberosInitiator;

  constructor(kerberos: KerberosInitiator) {
    this.kerberos = kerberos;
  }

  initialToken(): Buffer {
    return encodeNegTokenInit({ mechTypes: OFFERED, mechToken: this.kerberos.initialToken() });
  }

  /** Final leg: NegTokenResp with accept-completed and the AP-REP; the MIC is checked if sent. */
  acceptReply(token: Uint8Array): void {
    const resp = decodeNegTokenResp(token);
    if (resp.negState === NegState.REJECT) throw new KerberosError('The server rejected Kerberos in SPNEGO negotiation (negState reject).');
    if (resp.supportedMech !== undefined && !isKerberosMech(resp.supportedMech)) throw new KerberosError(`The server chose mechanism ${resp.supportedMech}, but only Kerberos was offered.`);
    if (resp.responseToken === undefined) throw new KerberosError('SPNEGO reply carries no Kerberos AP-REP: mutual authentication is not possible.');
    this.kerberos.acceptReply(resp.responseToken);
    // Some old servers echo the response token as the MIC: treat that as absent (pyspnego does the same).
    if (resp.mechListMIC !== undefined && !resp.mechListMIC.equals(resp.responseToken)) {
      this.kerberos.verifyMic(encodeMechTypeList(OFFERED), resp.mechListMIC);
    }
    if (resp.negState !== undefined && resp.negState !== NegState.ACCEPT_COMPLETED) {
      throw new KerberosError(`SPNEGO negotiation did not complete (negState ${resp.negState}); a further round is not supported.`);
    }
  }
}

function outerOid(token: Uint8Array): string | undefined {
  try {
    return splitMechOid(token).oid;
  } catch {
    return undefined;
  }
}

/** Acceptor for Negotiate: SPNEGO-wrapped or bare krb5 tokens. */
export class SpnegoAcceptor {
  readonly kerberos: KerberosAcceptor;
  #wasSpnego = false;

  constructor(kerberos: KerberosAcceptor) {
    this.kerberos = kerberos;
  }

  /** Whether the client spoke SPNEGO (else it sent a bare krb5 token). */
  get wasSpnego(): boolean {
    return this.#wasSpnego;
  }

  accept(token: Uint8Array): Buffer {
    const oid = outerOid(token);
    if (isKerberosMech(oid)) return this.kerberos.accept(token);
    if (oid !== SPNEGO_OID) throw new KerberosError('Negotiate token is neither SPNEGO nor Kerberos.');
    this.#wasSpnego = true;
    const init = decodeNegTokenInit(token);
    const chosen = init.mechTypes[0];
    if (!isKerberosMech(chosen) || init.mechToken === undefined) {
      return encodeNegTokenResp({ negState: NegState.REJECT });
    }
    const apRep = this.kerberos.accept(init.mechToken);
    if (init.mechListMIC !== undefined) this.kerberos.verifyMic(encodeMechTypeList(init.mechTypes), init.mechListMIC);
    return encodeNegTokenResp({ negState: NegState.ACCEPT_COMPLETED, supportedMech: chosen === MS_KRB5_OID ? MS_KRB5_OID : KRB5_OID, responseToken: apRep });
  }
}
