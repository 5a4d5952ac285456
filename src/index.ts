/** Public API of hyperv-wsman. */
export * from './errors.js';
export type { ConnectionOptions, TraceEvent, AuthTransport, MessageEncryption } from './options.js';
export { WsmanClient, type CallOptions } from './wsman/client.js';
export { identifyUnauthenticated, type UnauthenticatedIdentifyOptions } from './wsman/identify-unauthenticated.js';
export { NS, ACTION, WQL_DIALECT, wmiResourceUri, HYPERV_NAMESPACE } from './wsman/namespaces.js';
export type { EnumerateArgs, InvokeArgs, Selectors, WsmanRequest } from './wsman/requests.js';
export {
  buildIdentifyRequest,
  buildGetRequest,
  buildEnumerateRequest,
  buildPullRequest,
  buildReleaseRequest,
  buildInvokeRequest,
} from './wsman/requests.js';
export { buildEnvelope, type EnvelopeContext, type WsmanOption, DEFAULT_MAX_ENVELOPE_SIZE } from './wsman/envelope.js';
export { embeddedInstance, type InvokeParams, type InvokeParamValue, type EmbeddedInstanceParam } from './wsman/invoke-params.js';
export { parseReply, outParams, type IdentifyResult, type InvokeOutput, type EnumerationPage } from './wsman/responses.js';
export { WsmanFaultError, isNotFoundFault, isTimeoutFault, isAccessDeniedFault, type WsmanFaultInfo } from './wsman/fault.js';
export * from './cim/types.js';
export { decodeCimXmlInstance, encodeCimXmlInstance } from './cim/cim-xml.js';
export { decodeWsCimInstance, decodeEmbeddedInstanceParam, type WsCimClassSchema } from './cim/ws-cim.js';
export { parseCimDateTime, formatCimDateTime } from './cim/datetime.js';
export { decodeEpr } from './cim/epr.js';
export * from './hyperv/jobs.js';
export * from './hyperv/job-json.js';
export * from './hyperv/job-outcome.js';
export { toMsvmError, formatMsvmError, msvmErrorToJson, type MsvmError } from './hyperv/msvm-error.js';
export * as valueMaps from './hyperv/value-maps.js';
export { nameOf } from './hyperv/value-maps.js';
export { schemaFor, valueMapNames, type ClassSchema } from './hyperv/class-schemas.js';
export { parseXml } from './xml/parse.js';
export type { XmlElement, XmlNode, XmlAttribute, XmlText } from './xml/tree.js';
