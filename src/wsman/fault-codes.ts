/**
 * Reference tables for WS-Management faults: SOAP subcodes (DSP0226 master fault table, as carried
 * by openwsman's wsman-faults.c, plus MS-WSMV 3.1.4.x), Windows WSManFault/@Code values, and the
 * groups of subcodes/codes that the fault predicates in fault.ts treat as one condition.
 */
import { NS } from './namespaces.js';

/** WS-Eventing. We never send eventing requests, but a fault may still name one of its subcodes. */
export const WSE_NS = 'http://schemas.xmlsoap.org/ws/2004/08/eventing';

/**
 * The canonical prefix for each namespace a fault subcode can come from. A subcode's canonical name
 * is `${CANONICAL_PREFIX[nsUri]}:${localName}`, whatever prefix the server wrote
 * (Windows writes `a:`/`w:`/`n:`, openwsman `wsa:`/`wsman:`/`wsen:`, OMI `SOAP-ENV:`).
 */
export const CANONICAL_PREFIX: Readonly<Record<string, string>> = {
  [NS.soap]: 's',
  [NS.wsa]: 'wsa',
  [NS.wsman]: 'wsman',
  [NS.wsen]: 'wsen',
  [NS.wst]: 'wxf',
  [WSE_NS]: 'wse',
  [NS.wsmv]: 'wsmv',
  [NS.cimbinding]: 'wsmb',
};

/**
 * Prefix -> namespace used only when a fault writes a QName whose prefix is not declared at all.
 * MS-WSMV 4.10's own example does this (`a:DestinationUnreachable` with only `wsa` declared).
 * These are the prefixes Windows, OMI, openwsman and the specs conventionally use.
 */
export const CONVENTIONAL_PREFIXES: Readonly<Record<string, string>> = {
  s: NS.soap,
  env: NS.soap,
  soap: NS.soap,
  'SOAP-ENV': NS.soap,
  a: NS.wsa,
  wsa: NS.wsa,
  w: NS.wsman,
  wsman: NS.wsman,
  n: NS.wsen,
  wsen: NS.wsen,
  x: NS.wst,
  wxf: NS.wst,
  wst: NS.wst,
  e: WSE_NS,
  wse: WSE_NS,
  p: NS.wsmv, // Windows binds p: to the wsmv namespace on reply envelopes
  wsmv: NS.wsmv,
  msftwinrm: NS.wsmv,
  b: NS.cimbinding,
  wsmb: NS.cimbinding,
};

export interface FaultSubcodeInfo {
  /** The SOAP 1.2 Code the subcode is defined under. */
  readonly soapCode: 'Sender' | 'Receiver';
  readonly meaning: string;
}

/**
 * Known subcodes keyed by canonical name (see CANONICAL_PREFIX). Code and meaning follow the DSP0226
 * master fault table (openwsman's copy of it, fact sheet 5.3) and WS-Addressing/Enumeration/Eventing/
 * Transfer; the meanings are paraphrased.
 */
export const FAULT_SUBCODES: Readonly<Record<string, FaultSubcodeInfo>> = {
  // WS-Addressing (2004/08)
  'wsa:ActionNotSupported': { soapCode: 'Sender', meaning: 'The service does not support the requested Action URI.' },
  'wsa:DestinationUnreachable': { soapCode: 'Sender', meaning: 'No resource matches the To address, resource URI and selectors (Windows: missing class or instance).' },
  'wsa:EndpointUnavailable': { soapCode: 'Receiver', meaning: 'The endpoint exists but cannot serve requests right now.' },
  'wsa:InvalidMessageInformationHeader': { soapCode: 'Sender', meaning: 'A WS-Addressing or WS-Man header has an invalid value.' },
  'wsa:MessageInformationHeaderRequired': { soapCode: 'Sender', meaning: 'A required header (e.g. MessageID, ReplyTo) is missing.' },
  // WS-Management (DSP0226)
  'wsman:AccessDenied': { soapCode: 'Sender', meaning: 'The caller is not authorized for this resource or action.' },
  'wsman:AlreadyExists': { soapCode: 'Sender', meaning: 'Create was asked for a resource that already exists.' },
  'wsman:CannotProcessFilter': { soapCode: 'Sender', meaning: 'The filter could not be processed.' },
  'wsman:Concurrency': { soapCode: 'Sender', meaning: 'The action could not complete because of concurrency or locking.' },
  'wsman:DeliveryRefused': { soapCode: 'Receiver', meaning: 'The event receiver refused delivery.' },
  'wsman:EncodingLimit': { soapCode: 'Sender', meaning: 'A size or encoding limit was exceeded (e.g. MaxEnvelopeSize below 8192, MS-WSMV 3.1.4.1.7).' },
  'wsman:FragmentDialectNotSupported': { soapCode: 'Receiver', meaning: 'The fragment dialect is not supported.' },
  'wsman:InternalError': { soapCode: 'Receiver', meaning: 'The service failed internally; details are usually in MSFT_WmiError or WSManFault.' },
  'wsman:InvalidBookmark': { soapCode: 'Sender', meaning: 'The event bookmark is invalid or expired.' },
  'wsman:InvalidOptions': { soapCode: 'Sender', meaning: 'One or more options are invalid (e.g. unknown MustComply option, MS-WSMV 3.1.4.1.10).' },
  'wsman:InvalidParameter': { soapCode: 'Sender', meaning: 'An operation parameter is invalid.' },
  'wsman:InvalidSelectors': { soapCode: 'Sender', meaning: 'The selectors are wrong for the resource (unknown, missing or mistyped keys).' },
  'wsman:MetadataRedirect': { soapCode: 'Sender', meaning: 'The resource is described by metadata elsewhere.' },
  'wsman:NoAck': { soapCode: 'Sender', meaning: 'The receiver did not acknowledge an event delivery.' },
  'wsman:QuotaLimit': { soapCode: 'Sender', meaning: 'A per-user or per-service quota was exceeded.' },
  'wsman:SchemaValidationError': { soapCode: 'Sender', meaning: 'The request body does not match the schema.' },
  'wsman:TimedOut': { soapCode: 'Receiver', meaning: 'The operation did not finish within OperationTimeout.' },
  'wsman:UnreportableSuccess': { soapCode: 'Sender', meaning: 'The operation succeeded but the result cannot be returned.' },
  'wsman:UnsupportedFeature': { soapCode: 'Sender', meaning: 'A requested feature is not supported (e.g. non-anonymous ReplyTo, mustUnderstand Locale).' },
  // WS-Enumeration (2004/09)
  'wsen:CannotProcessFilter': { soapCode: 'Sender', meaning: 'The enumeration filter could not be processed (Windows: bad WQL, unknown class).' },
  'wsen:FilterDialectRequestedUnavailable': { soapCode: 'Sender', meaning: 'The filter dialect is not supported.' },
  'wsen:FilteringNotSupported': { soapCode: 'Sender', meaning: 'Filtered enumeration is not supported.' },
  'wsen:InvalidEnumerationContext': { soapCode: 'Receiver', meaning: 'The enumeration context is unknown or expired.' },
  'wsen:InvalidExpirationTime': { soapCode: 'Sender', meaning: 'The enumeration expiration time is invalid.' },
  'wsen:TimedOut': { soapCode: 'Receiver', meaning: 'The enumerator timed out and is no longer valid.' },
  // Sources differ on the next three soapCodes (no predicate reads soapCode): openwsman says Receiver
  // here, OpenPegasus's DSP0226 table Sender; wsmerror.h says Receiver for wse:UnableToRenew and
  // wse:EventSourceUnableToProcess, OpenPegasus Sender for both.
  'wsen:UnsupportedExpirationType': { soapCode: 'Receiver', meaning: 'The expiration type is not supported.' },
  // WS-Transfer (2004/09)
  'wxf:InvalidRepresentation': { soapCode: 'Sender', meaning: 'The XML representation sent is invalid for the resource.' },
  // WS-Eventing (2004/08)
  'wse:DeliveryModeRequestedUnavailable': { soapCode: 'Sender', meaning: 'The event delivery mode is not supported.' },
  'wse:EventSourceUnableToProcess': { soapCode: 'Receiver', meaning: 'The event source cannot process the subscription.' },
  'wse:FilteringNotSupported': { soapCode: 'Sender', meaning: 'Filtering over the event source is not supported.' },
  'wse:FilteringRequestedUnavailable': { soapCode: 'Sender', meaning: 'The requested event filter dialect is not supported.' },
  'wse:InvalidExpirationTime': { soapCode: 'Sender', meaning: 'The subscription expiration time is invalid.' },
  'wse:InvalidMessage': { soapCode: 'Sender', meaning: 'The eventing request has unknown or invalid content.' },
  'wse:UnableToRenew': { soapCode: 'Sender', meaning: 'The subscription cannot be renewed.' },
  'wse:UnsupportedExpirationType': { soapCode: 'Sender', meaning: 'The subscription expiration type is not supported.' },
  // CIM binding (DSP0227)
  'wsmb:PolymorphismModeNotSupported': { soapCode: 'Receiver', meaning: 'The requested polymorphism mode is not supported.' },
};

/**
 * f:WSManFault/@Code values (MS-WSMV 2.2.4.43 note <35>: Win32 codes or WinRM HRESULTs), plus the WMI
 * codes that appear in MSFT_WmiError/__ExtendedStatus. Names are the wsmerror.h / winerror.h /
 * wbemcli.h constants; the summary after the colon is ours, following the header's MessageText where
 * it has one (wsmerror.h), else the name. "seen ..." notes where a code was observed in a capture;
 * "(inferred)" marks a meaning that is a guess.
 */
export const WSMAN_ERROR_CODES: Readonly<Record<number, string>> = {
  5: 'ERROR_ACCESS_DENIED: access is denied (Win32)',
  32768: 'MS-WSMV 4.10 example code for an unknown resource URI (inferred: provider-specific failure, not a Win32 code)',
  2147942405: 'E_ACCESSDENIED (0x80070005): access is denied',
  2147749889: 'WBEM_E_FAILED (0x80041001): WMI call failed',
  2147749890: 'WBEM_E_NOT_FOUND (0x80041002): WMI object not found',
  2147749891: 'WBEM_E_ACCESS_DENIED (0x80041003): WMI access denied',
  2147749896: 'WBEM_E_INVALID_PARAMETER (0x80041008): invalid WMI parameter',
  2147749900: 'WBEM_E_NOT_SUPPORTED (0x8004100C): WMI feature or operation not supported',
  2147749902: 'WBEM_E_INVALID_NAMESPACE (0x8004100E): WMI namespace does not exist',
  2147749904: 'WBEM_E_INVALID_CLASS (0x80041010): WMI class does not exist',
  2147749911: 'WBEM_E_INVALID_QUERY (0x80041017): WQL query is invalid',
  2150858752: 'ERROR_WSMAN_RESOURCE_NOT_FOUND (0x80338000): no resource matches the resource URI and selectors (missing WMI instance or class)',
  2150858753: 'ERROR_WSMAN_INVALID_ACTIONURI (0x80338001): the Action URI is invalid',
  2150858754: 'ERROR_WSMAN_INVALID_URI (0x80338002): the resource URI is invalid',
  2150858755: 'ERROR_WSMAN_PROVIDER_FAILURE (0x80338003): the WS-Man provider (plugin) failed',
  2150858765: 'ERROR_WSMAN_SOAP_VERSION_MISMATCH (0x8033800D): unsupported SOAP version',
  2150858766: 'ERROR_WSMAN_SOAP_DATA_ENCODING_UNKNOWN (0x8033800E): unknown SOAP data encoding',
  2150858767: 'ERROR_WSMAN_INVALID_MESSAGE_INFORMATION_HEADER (0x8033800F): a SOAP header has an invalid value (seen for OperationTimeout PT-1S)',
  2150858768: 'ERROR_WSMAN_SOAP_FAULT_MUST_UNDERSTAND (0x80338010): a mustUnderstand header was not understood',
  2150858769: 'ERROR_WSMAN_MESSAGE_INFORMATION_HEADER_REQUIRED (0x80338011): a required header is missing',
  2150858770: 'ERROR_WSMAN_DESTINATION_UNREACHABLE (0x80338012): the destination cannot be reached',
  2150858771: 'ERROR_WSMAN_ACTION_NOT_SUPPORTED (0x80338013): the action is not supported',
  2150858772: 'ERROR_WSMAN_ENDPOINT_UNAVAILABLE (0x80338014): the endpoint is unavailable',
  2150858776: 'ERROR_WSMAN_ENUMERATE_FILTERING_NOT_SUPPORTED (0x80338018): filtered enumeration not supported',
  2150858777: 'ERROR_WSMAN_ENUMERATE_FILTER_DIALECT_REQUESTED_UNAVAILABLE (0x80338019): filter dialect not supported',
  2150858778: 'ERROR_WSMAN_ENUMERATE_CANNOT_PROCESS_FILTER (0x8033801A): the filter cannot be processed (seen for an unknown class in WQL)',
  2150858779: 'ERROR_WSMAN_ENUMERATE_INVALID_ENUMERATION_CONTEXT (0x8033801B): the enumeration context is invalid or expired',
  2150858780: 'ERROR_WSMAN_ENUMERATE_TIMED_OUT (0x8033801C): a Pull got no data within MaxTime; the enumeration is still valid, pull again',
  2150858790: 'ERROR_WSMAN_ENVELOPE_TOO_LARGE (0x80338026): the response would exceed MaxEnvelopeSize',
  2150858791: 'ERROR_WSMAN_INVALID_SOAP_BODY (0x80338027): the SOAP body is invalid',
  2150858793: 'ERROR_WSMAN_OPERATION_TIMEDOUT (0x80338029): the operation did not finish within OperationTimeout',
  2150858803: 'ERROR_WSMAN_ALREADY_EXISTS (0x80338033): the resource already exists',
  2150858805: 'ERROR_WSMAN_ENCODING_LIMIT (0x80338035): an encoding limit was exceeded',
  2150858809: 'ERROR_WSMAN_INVALID_OPTIONS (0x80338039): invalid options',
  2150858810: 'ERROR_WSMAN_INVALID_PARAMETER (0x8033803A): invalid parameter',
  2150858811: 'ERROR_WSMAN_INVALID_RESOURCE_URI (0x8033803B): the resource URI is missing or has an incorrect format',
  2150858813: 'ERROR_WSMAN_INVALID_SELECTORS (0x8033803D): invalid selectors',
  2150858815: 'ERROR_WSMAN_QUOTA_LIMIT (0x8033803F): a quota was exceeded',
  2150858817: 'ERROR_WSMAN_SCHEMA_VALIDATION_ERROR (0x80338041): the request fails schema validation (e.g. a missing element)',
  2150858818: 'ERROR_WSMAN_UNSUPPORTED_FEATURE (0x80338042): unsupported feature',
  2150858819: 'ERROR_WSMAN_INVALID_XML (0x80338043): invalid XML',
  2150858822: 'ERROR_WSMAN_SYSTEM_NOT_FOUND (0x80338046): the WS-Management service cannot locate the system',
  2150858823: 'ERROR_WSMAN_MAX_ENVELOPE_SIZE (0x80338047): the MaxEnvelopeSize in the request is too large',
  2150858824: 'ERROR_WSMAN_MAX_ENVELOPE_SIZE_EXCEEDED (0x80338048): the response the service computed exceeds the MaxEnvelopeSize of the request',
  2150858825: 'ERROR_WSMAN_SERVER_ENVELOPE_LIMIT (0x80338049): the response exceeds the service envelope limit',
  2150858836: 'ERROR_WSMAN_PARAMETER_TYPE_MISMATCH (0x80338054): a parameter has the wrong type',
  2150858837: 'ERROR_WSMAN_INVALID_PARAMETER_NAME (0x80338055): unknown parameter name',
  2150858838: 'ERROR_WSMAN_INVALID_XML_VALUES (0x80338056): invalid values in the XML',
  2150858839: 'ERROR_WSMAN_INVALID_XML_MISSING_VALUES (0x80338057): required values are missing from the XML',
  2150858842: 'ERROR_WSMAN_INSUFFCIENT_SELECTORS (0x8033805A): not all key selectors were given',
  2150858843: 'ERROR_WSMAN_UNEXPECTED_SELECTORS (0x8033805B): selectors that the resource does not have (wrong key names)',
  2150858844: 'ERROR_WSMAN_SELECTOR_TYPEMISMATCH (0x8033805C): a selector value has the wrong type',
  2150858845: 'ERROR_WSMAN_INVALID_SELECTOR_VALUE (0x8033805D): a selector value is invalid',
  2150858846: 'ERROR_WSMAN_AMBIGUOUS_SELECTORS (0x8033805E): the selectors match more than one instance',
  2150858847: 'ERROR_WSMAN_DUPLICATE_SELECTORS (0x8033805F): a selector is given twice',
  2150858854: 'ERROR_WSMAN_OPERATION_TIMEOUT_NOT_SUPPORTED (0x80338066): OperationTimeout not supported here',
  2150858878: 'ERROR_WSMAN_MIN_ENVELOPE_SIZE (0x8033807E): the MaxEnvelopeSize in the request is too small',
  2150858881: 'ERROR_WSMAN_INVALID_TIMEOUT_HEADER (0x80338081): the OperationTimeout header is invalid',
  2150859002: 'ERROR_WSMAN_INVALID_URI_WMI_SINGLETON (0x803380FA): the resource URI has no keys but the class is not a singleton',
  2150859003: 'ERROR_WSMAN_INVALID_URI_WMI_ENUM_WQL (0x803380FB): a WQL-filtered Enumerate needs a URI without keys whose class is * (star)',
  2150859016: 'ERROR_WSMAN_ENUMERATE_WMI_INVALID_KEY (0x80338108): the resource URI of an Enumerate must not contain keys',
  2150859065: 'ERROR_WSMAN_URI_NON_DMTF_CLASS (0x80338139): a DMTF resource URI names a non-DMTF class (on Windows, use the WMI resource URI)',
  2150859066: 'ERROR_WSMAN_URI_WRONG_DMTF_VERSION (0x8033813A): the DMTF class has another major version than the URI asks for (use the WMI resource URI)',
  2150859067: 'ERROR_WSMAN_DIFFERENT_CIM_SELECTOR (0x8033813B): resource URI and __cimnamespace name different namespaces',
  2150859173: 'ERROR_WSMAN_QUOTA_MAX_SHELLS (0x803381A5): the per-user concurrent shell quota is exceeded',
  2150859174: 'ERROR_WSMAN_QUOTA_MAX_OPERATIONS (0x803381A6): the concurrent operation quota is exceeded',
  2150859175: 'ERROR_WSMAN_QUOTA_USER (0x803381A7): a per-user quota is exceeded',
  2150859176: 'ERROR_WSMAN_QUOTA_SYSTEM (0x803381A8): a system-wide quota is exceeded',
};

export interface FaultCategory {
  /** Canonical subcode names (FAULT_SUBCODES keys). */
  readonly subcodes: readonly string[];
  /** WSManFault codes (outer or provider) and WMI error codes that mean the same thing. */
  readonly codes: readonly number[];
  /** CIMStatusCode values of a DSP0227 CIM_Error in the detail (what OMI sends) that mean the same thing. */
  readonly cimStatusCodes: readonly number[];
}

/**
 * Conditions callers branch on. See fault.ts for how each is matched and why.
 * - notFound: Windows answers a Get/Invoke on a missing WMI instance with wsa:DestinationUnreachable +
 *   WSManFault 2150858752 (+ ProviderFault/__ExtendedStatus), and selectors that name no key of the
 *   class with wsman:InvalidSelectors (2150858843 etc.). WBEM_E_NOT_FOUND is deliberately absent: inside
 *   a provider error it can refer to some other object than the addressed instance.
 * - timeout: wsman:TimedOut / wsen:TimedOut, or the WinRM operation/enumeration timeout codes. Retrying
 *   fits both, though they differ: DSP0226 says a wsen:TimedOut enumerator is no longer valid, while
 *   WinRM's 0x8033801C says the enumeration is still valid and the next Pull may get data.
 * - accessDenied: wsman:AccessDenied, Win32 5, E_ACCESSDENIED, WBEM_E_ACCESS_DENIED.
 * CIM status codes (DSP0200): OMI answers with a CIM_Error instead of WSManFault; its missing
 * instance comes as CIM_ERR_NOT_FOUND (6, under wsa:DestinationUnreachable), a refusal as
 * CIM_ERR_ACCESS_DENIED (2).
 */
export const FAULT_CATEGORIES = {
  notFound: { subcodes: ['wsa:DestinationUnreachable', 'wsman:InvalidSelectors'], codes: [2150858752], cimStatusCodes: [6] },
  timeout: { subcodes: ['wsman:TimedOut', 'wsen:TimedOut'], codes: [2150858793, 2150858780], cimStatusCodes: [] },
  accessDenied: { subcodes: ['wsman:AccessDenied'], codes: [5, 2147942405, 2147749891], cimStatusCodes: [2] },
} as const satisfies Record<string, FaultCategory>;
