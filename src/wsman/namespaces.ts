/** Namespace and action URIs used on the wire. [MS-WSMV] 2.2.1, DSP0226, WS-Transfer/Enumeration. */

export const NS = {
  soap: 'http://www.w3.org/2003/05/soap-envelope',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  xs: 'http://www.w3.org/2001/XMLSchema',
  wsa: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  wsman: 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
  wsmv: 'http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd',
  wsmanfault: 'http://schemas.microsoft.com/wbem/wsman/1/wsmanfault',
  cim: 'http://schemas.dmtf.org/wbem/wscim/1/common',
  cimbinding: 'http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd',
  wsen: 'http://schemas.xmlsoap.org/ws/2004/09/enumeration',
  wst: 'http://schemas.xmlsoap.org/ws/2004/09/transfer',
  wsmid: 'http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd',
} as const;

export const ACTION = {
  get: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Get',
  getResponse: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/GetResponse',
  enumerate: 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate',
  enumerateResponse: 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/EnumerateResponse',
  pull: 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/Pull',
  pullResponse: 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/PullResponse',
  release: 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/Release',
  releaseResponse: 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/ReleaseResponse',
  addressingFault: 'http://schemas.xmlsoap.org/ws/2004/08/addressing/fault',
  wsmanFault: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/fault',
} as const;

export const ANONYMOUS = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous';

/** WQL filter dialect for Enumerate against WMI. [MS-WSMV] 3.1.4.8.1 */
export const WQL_DIALECT = 'http://schemas.microsoft.com/wbem/wsman/1/WQL';

/** Prefix of every WMI resource URI: prefix + namespace with "\" -> "/" + "/" + class. [MS-WSMV] 3.1.4.1.1 */
export const WMI_RESOURCE_PREFIX = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/';

/** Resource URI for all classes of a namespace (used with WQL enumeration). */
export function wmiResourceUri(namespace: string, className = '*'): string {
  const ns = namespace.replace(/\\/g, '/').replace(/^\/+|\/+$/g, '');
  return `${WMI_RESOURCE_PREFIX}${ns}/${className}`;
}

export const HYPERV_NAMESPACE = 'root/virtualization/v2';
