/**
 * SPNEGO (RFC 4178) tokens for HTTP Negotiate: the initial NegTokenInit inside GSS framing
 * (`60 len <SPNEGO OID> A0 len NegTokenInit`) and the bare NegTokenResp (`A1 len ...`).
 * We offer Kerberos only; mechListMIC is optional then (RFC 4178 5) but verified when present.
 */
import {
  DEFAULT_DER_LIMITS,
  Tag,
  contextTag,
  decodeDer,
  encodeContext,
  encodeEnumerated,
  encodeOctetString,
  encodeOid,
  encodeSequence,
  readEnumerated,
  readOctetString,
  readOid,
  readSequenceOf,
  sequenceFields,
  tlv,
  unwrap,
} from './der.js';
import { KerberosError } from './errors.js';
import { KRB5_OID, MS_KRB5_OID } from './gss-framing.js';

export const SPNEGO_OID = '1.3.6.1.5.5.2';
export const NTLM_OID = '1.3.6.1.4.1.311.2.2.10';

export const NegState = {
  ACCEPT_COMPLETED: 0,
  ACCEPT_INCOMPLETE: 1,
  REJECT: 2,
  REQUEST_MIC: 3,
} as const;

export interface NegTokenInit {
  readonly mechTypes: readonly string[];
  readonly mechToken?: Buffer;
  readonly mechListMIC?: Buffer;
}

export interface NegTokenResp {
  readonly negState?: number;
  readonly supportedMech?: string;
  readonly responseToken?: Buffer;
  readonly mechListMIC?: Buffer;
}

/** DER of MechTypeList (SEQUENCE OF OID): what mechListMIC covers (RFC 4178 5 a). */
export function encodeMechTypeList(mechTypes: readonly string[]): Buffer {
  return encodeSequence(...mechTypes.map(encodeOid));
}

export function encodeNegTokenInit(t: NegTokenInit): Buffer {
  const init = encodeSequence(
    encodeContext(0, encodeMechTypeList(t.mechTypes)),
    encodeContext(2, t.mechToken === undefined ? undefined : encodeOctetString(t.mechToken)),
    encodeContext(3, t.mechListMIC === undefined ? undefined : encodeOctetString(t.mechListMIC)),
  );
  return tlv(0x60, Buffer.concat([encodeOid(SPNEGO_OID), tlv(contextTag(0), init)]));
}

const LIMITS = { ...DEFAULT_DER_LIMITS, maxDepth: 8 };

/** Decode a framed NegTokenInit (or NegTokenInit2, whose negHints [3] are skipped). */
export function decodeNegTokenInit(token: Uint8Array): NegTokenInit {
  const outer = decodeDer(token, LIMITS);
  if (outer.tag !== 0x60 || outer.children.length !== 2) throw new KerberosError('Not a SPNEGO initial token.');
  if (readOid(outer.children[0]!, 'SPNEGO mech') !== SPNEGO_OID) throw new KerberosError('Initial token is not SPNEGO.');
  const f = sequenceFields(unwrap(outer.children[1]!, contextTag(0), 'NegotiationToken'), 'NegTokenInit');
  const types = f.get(0);
  if (types === undefined) throw new KerberosError('NegTokenInit has no mechTypes.');
  const token2 = f.get(2);
  const mic = f.get(3)?.tag === Tag.OCTET_STRING ? f.get(3) : f.get(4);
  return {
    mechTypes: readSequenceOf(types, 'mechTypes').map((n) => readOid(n, 'mechType')),
    ...(token2 === undefined ? {} : { mechToken: Buffer.from(readOctetString(token2, 'mechToken')) }),
    ...(mic === undefined ? {} : { mechListMIC: Buffer.from(readOctetString(mic, 'mechListMIC')) }),
  };
}

export function encodeNegTokenResp(t: NegTokenResp): Buffer {
  return tlv(
    contextTag(1),
    encodeSequence(
      encodeContext(0, t.negState === undefined ? undefined : encodeEnumerated(t.negState)),
      encodeContext(1, t.supportedMech === undefined ? undefined : encodeOid(t.supportedMech)),
      encodeContext(2, t.responseToken === undefined ? undefined : encodeOctetString(t.responseToken)),
      encodeContext(3, t.mechListMIC === undefined ? undefined : encodeOctetString(t.mechListMIC)),
    ),
  );
}

export function decodeNegTokenResp(token: Uint8Array): NegTokenResp {
  const outer = decodeDer(token, LIMITS);
  const f = sequenceFields(unwrap(outer, contextTag(1), 'NegTokenResp'), 'NegTokenResp');
  const state = f.get(0);
  const mech = f.get(1);
  const resp = f.get(2);
  const mic = f.get(3);
  return {
    ...(state === undefined ? {} : { negState: readEnumerated(state, 'negState') }),
    ...(mech === undefined ? {} : { supportedMech: readOid(mech, 'supportedMech') }),
    ...(resp === undefined ? {} : { responseToken: Buffer.from(readOctetString(resp, 'responseToken')) }),
    ...(mic === undefined ? {} : { mechListMIC: Buffer.from(readOctetString(mic, 'mechListMIC')) }),
  };
}

export function isKerberosMech(oid: string | undefined): boolean {
  return oid === KRB5_OID || oid === MS_KRB5_OID;
}
