/**
 * The emulated host speaks Windows WinRM by default; `dialect: 'omi'` makes it behave as Microsoft's
 * OMI server does where a client can tell (source read and wire captured, OMI 1.x):
 * - IdentifyResponse in the SOAP envelope namespace (wsman.c `_SendIdentifyResponse`);
 * - the class is the last segment of the resource URI, whatever its prefix, and the namespace comes
 *   only from a `__cimnamespace` selector, default `interop` (wsmanparser.c);
 * - method actions must be `http://<host>/wbem/wscim/1/cim-schema/2/<Class>/<Method>`;
 * - Invoke replies are `<p:<Method>_OUTPUT>`-less: `<p:<Method>>` (wsbuf.c `_PackInstance`);
 * - instances and EPRs carry DMTF schema URIs;
 * - encrypted part headers at column 0 and a CRLF after the closing boundary, and a request whose
 *   part headers are indented is not understood: the connection is dropped (httpauth.c);
 * - no 401 challenge to a request without credentials: nothing comes back (http.c) until OMI's idle
 *   timer closes the connection (60 s, seen with OMI 1.0.8-6).
 */
import { CIM_NAMESPACE_SELECTOR, CIM_SCHEMA_PREFIX, normalizeNamespace } from '../wsman/dialect.js';
import { HYPERV_NAMESPACE, WMI_RESOURCE_PREFIX } from '../wsman/namespaces.js';
import type { EncryptedFraming } from '../auth/message-encryption.js';
import type { SoapRequest } from './soap.js';

export type EmulatorDialect = 'wmi' | 'omi';
export const EMULATOR_DIALECTS: readonly EmulatorDialect[] = ['wmi', 'omi'];

/** How long OMI leaves a request without credentials unanswered before closing the connection (curl against OMI 1.0.8-6: 60 s). */
export const OMI_SILENT_CLOSE_MS = 60_000;

/** OMI's namespace when a request names none (wsmanparser.c DEFAULT_CIMNAMESPACE). */
export const OMI_DEFAULT_NAMESPACE = 'interop';

/** The resource URI of a class of the emulated namespace, as each server writes it in replies. */
export function classUri(dialect: EmulatorDialect, className: string): string {
  return dialect === 'omi' ? `${CIM_SCHEMA_PREFIX}${className}` : `${WMI_RESOURCE_PREFIX}${HYPERV_NAMESPACE}/${className}`;
}

/** How each server frames its encrypted replies: Windows as MS-WSMV writes it (TAB), OMI at column 0 plus a CRLF. */
export const REPLY_FRAMING: Readonly<Record<EmulatorDialect, EncryptedFraming>> = {
  wmi: { partHeaderIndent: '\t' },
  omi: { partHeaderIndent: '', trailingCrlf: true },
};

/** OMI reads the namespace from __cimnamespace only (`/` or `\` separators), else its default. */
export function omiNamespace(req: SoapRequest): string {
  const sel = req.selectors.find((s) => s.name === CIM_NAMESPACE_SELECTOR);
  return normalizeNamespace(sel?.value ?? OMI_DEFAULT_NAMESPACE);
}

/** OMI: the class is whatever follows the last `/` of the resource URI. */
export function omiClassName(resourceUri: string): string {
  return resourceUri.slice(resourceUri.lastIndexOf('/') + 1);
}

const OMI_ACTION = /^http:\/\/[^/]+\/wbem\/wscim\/1\/cim-schema\/2\/([^/]+)\/([^/]+)$/;

/** Class and method of an OMI method action, or undefined for any other form (OMI refuses it). */
export function omiMethodAction(action: string): { className: string; method: string } | undefined {
  const m = OMI_ACTION.exec(action);
  return m ? { className: m[1]!, method: m[2]! } : undefined;
}

/** OMI matches part headers only at the start of a line (httpauth.c Http_DecryptData). */
export function hasIndentedPartHeader(body: Uint8Array): boolean {
  return /\r\n[ \t]+(?:Content-Type|OriginalContent):/i.test(Buffer.from(body.buffer, body.byteOffset, Math.min(body.byteLength, 512)).toString('latin1'));
}
