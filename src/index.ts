/** Public API of hyperv-wsman. */
export * from './errors.js';
export type { ConnectionOptions, TraceEvent, AuthTransport, MessageEncryption } from './options.js';
export { WsmanClient, MAX_EMPTY_PULL_PAGES, type CallOptions } from './wsman/client.js';
export { identifyUnauthenticated, type UnauthenticatedIdentifyOptions } from './wsman/identify-unauthenticated.js';
export { NS, ACTION, WQL_DIALECT, wmiResourceUri, HYPERV_NAMESPACE } from './wsman/namespaces.js';
export { classTarget, dialectOfResourceUri, CIM_SCHEMA_PREFIX, CIM_NAMESPACE_SELECTOR, type WsmanDialect, type DialectTarget } from './wsman/dialect.js';
export type { EnumerateArgs, InvokeArgs, Selectors, WsmanRequest } from './wsman/requests.js';
export {
  buildIdentifyRequest,
  buildGetRequest,
  buildEnumerateRequest,
  buildPullRequest,
  buildReleaseRequest,
  buildInvokeRequest,
} from './wsman/requests.js';
export {
  associationFilterXml,
  ASSOCIATION_FILTER_DIALECT,
  type AssociationFilter,
  type AssociatedInstancesFilter,
  type AssociationInstancesFilter,
  type AssociationObject,
} from './wsman/association-filter.js';
export { buildEnvelope, type EnvelopeContext, type WsmanOption, DEFAULT_MAX_ENVELOPE_SIZE } from './wsman/envelope.js';
export { embeddedInstance, type InvokeParams, type InvokeParamValue, type EmbeddedInstanceParam } from './wsman/invoke-params.js';
export { parseReply, outParams, type IdentifyResult, type InvokeOutput, type EnumerationPage } from './wsman/responses.js';
export { WsmanFaultError, isNotFoundFault, isTimeoutFault, isAccessDeniedFault, type WsmanFaultInfo } from './wsman/fault.js';
export * from './cim/types.js';
export { decodeCimXmlInstance, encodeCimXmlInstance } from './cim/cim-xml.js';
export { decodeWsCimInstance, decodeEmbeddedInstanceParam, encodeWsCimEmbeddedInstance, type WsCimClassSchema } from './cim/ws-cim.js';
export { parseCimDateTime, formatCimDateTime } from './cim/datetime.js';
export { decodeEpr } from './cim/epr.js';
export * from './hyperv/jobs.js';
export * from './hyperv/job-json.js';
export * from './hyperv/job-outcome.js';
export { affectedElementsFilter, readAffectedElements, askAffectedElements, describeAffectedElement, toAffectedElement, AFFECTED_JOB_ELEMENT, type AffectedElement, type AffectedElementsAnswer, type JobLocation } from './hyperv/affected-elements.js';
export { toMsvmError, formatMsvmError, msvmErrorToJson, type MsvmError, type MsvmErrorOptions } from './hyperv/msvm-error.js';
export * as valueMaps from './hyperv/value-maps.js';
export { nameOf, withName, NO_NAME_KNOWN } from './hyperv/value-maps.js';
export { methodReturnTable, returnValueNameOf, hypervReturnValueName, type MethodReturnTable } from './hyperv/method-return-codes.js';
export { schemaFor, valueMapNames, type ClassSchema } from './hyperv/class-schemas.js';
export { parseXml } from './xml/parse.js';
export type { XmlElement, XmlNode, XmlAttribute, XmlText } from './xml/tree.js';
export { runFleet, listFleetJobs, FleetWorkError, DEFAULT_FLEET_CONCURRENCY, type FleetTarget, type FleetOptions, type FleetResult, type FleetWork } from './hyperv/fleet.js';
export { lookupNamespace, namespacesInScope } from './xml/tree.js';
export { MAX_XML_ATTRIBUTES, MAX_XML_DEPTH, MAX_XML_NAMESPACE_DECLARATIONS, MAX_XML_NODES, MAX_XML_TEXT_LENGTH } from './xml/limits.js';
export { diagnoseHost, STEP_IDS, STEP_TITLES, CERT_EXPIRY_WARNING_DAYS, type DiagnosticStep, type StepId, type StepStatus, type FactValue, type StepListener, type DiagnoseSettings } from './diagnostics/index.js';
