/**
 * The SOAP faults the emulated host returns, as a table: SOAP Code, Subcode QName, Reason text,
 * WSManFault/@Code and optional wsman:FaultDetail URI. Codes and texts are Windows' own
 * (winerror.h FACILITY_WINRM 0x80338xxx, MessageText with Windows' trailing space); Reason texts
 * seen in real captures are copied from them (protocol-facts.md 5.2).
 */
import { ErrorCodes, HypervWsmanError } from '../errors.js';
import { NS } from '../wsman/namespaces.js';

const DETAIL = 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/';

export interface FaultKind {
  readonly code: 'Sender' | 'Receiver' | 'VersionMismatch';
  /** [namespace, local name]; absent for VersionMismatch. */
  readonly subcode?: readonly [string, string];
  readonly reason: string;
  /** WSManFault/@Code (Win32/HRESULT as unsigned decimal); absent for OMI's faults, which carry an OMI_Error instead. */
  readonly wsmanCode?: number;
  readonly detail?: string;
}

export const FAULT = {
  // 0x8033800F; text and code from a real capture (pypsrp recording).
  invalidMessageInformationHeader: {
    code: 'Sender',
    subcode: [NS.wsa, 'InvalidMessageInformationHeader'],
    reason: 'The WS-Management service cannot process the request. The request contains one or more invalid SOAP headers. ',
    wsmanCode: 2150858767,
  },
  // 0x80338011; [MS-WSMV] 3.1.4.1.3 (missing ReplyTo).
  messageInformationHeaderRequired: {
    code: 'Sender',
    subcode: [NS.wsa, 'MessageInformationHeaderRequired'],
    reason: 'The WS-Management service cannot process the request. The request does not have all the expected SOAP headers. ',
    wsmanCode: 2150858769,
  },
  // 0x80338000 with detail InvalidResourceURI: Windows Server 2012 R2 capture kept in microsoft/omi's tests.
  resourceNotFound: {
    code: 'Sender',
    subcode: [NS.wsa, 'DestinationUnreachable'],
    reason: 'The WS-Management service cannot process the request. The service cannot find the resource identified by the resource URI and selectors. ',
    wsmanCode: 2150858752,
    detail: `${DETAIL}InvalidResourceURI`,
  },
  // 0x8033803B: a resource URI outside the WMI prefix, or without a class.
  invalidResourceUri: {
    code: 'Sender',
    subcode: [NS.wsa, 'DestinationUnreachable'],
    reason:
      'The WS-Management service cannot process the request. The resource URI is missing or it has an incorrect format. Check the documentation or use the following command for information on how to construct a resource URI: "winrm help uris". ',
    wsmanCode: 2150858811,
    detail: `${DETAIL}InvalidResourceURI`,
  },
  // 0x80338013; [MS-WSMV] 3.1.4.1.34.1 names wsa:ActionNotSupported for operations a resource does not support.
  actionNotSupported: {
    code: 'Sender',
    subcode: [NS.wsa, 'ActionNotSupported'],
    reason: 'The WS-Management service does not support the action specified in the request. ',
    wsmanCode: 2150858771,
  },
  // 0x8033805B ERROR_WSMAN_UNEXPECTED_SELECTORS: code seen from real hosts (pywinrm report, GOAD #310).
  unexpectedSelectors: {
    code: 'Sender',
    subcode: [NS.wsman, 'InvalidSelectors'],
    reason: 'The WS-Management service cannot process the request because the request contained invalid selectors for the resource. ',
    wsmanCode: 2150858843,
    detail: `${DETAIL}UnexpectedSelectors`,
  },
  // 0x8033805A ERROR_WSMAN_INSUFFCIENT_SELECTORS.
  insufficientSelectors: {
    code: 'Sender',
    subcode: [NS.wsman, 'InvalidSelectors'],
    reason: 'The WS-Management service cannot process the request because the request did not contain all required selectors. ',
    wsmanCode: 2150858842,
    detail: `${DETAIL}InsufficientSelectors`,
  },
  // 0x8033805F ERROR_WSMAN_DUPLICATE_SELECTORS.
  duplicateSelectors: {
    code: 'Sender',
    subcode: [NS.wsman, 'InvalidSelectors'],
    reason: 'The WS-Management service cannot process the request because the request contains duplicate selectors. ',
    wsmanCode: 2150858847,
    detail: `${DETAIL}DuplicateSelectors`,
  },
  // 0x8033813B ERROR_WSMAN_DIFFERENT_CIM_SELECTOR; [MS-WSMV] 3.1.4.1.1 note <46>, microsoft/omi#398.
  differentCimNamespace: {
    code: 'Receiver',
    subcode: [NS.wsman, 'InternalError'],
    reason:
      'The WS-Management service cannot process the request. The resource URI and __cimnamespace selector attempted to use different namespaces. Try removing the __cimnamespace selector or using a DMTF resource URI. If a non-DMTF resource URI is used with a __cimnamespace selector, the namespaces must match. ',
    wsmanCode: 2150859067,
  },
  // 0x80338139 ERROR_WSMAN_URI_NON_DMTF_CLASS (wsmerror.h text): a DMTF resource URI naming a class
  // that is not a DMTF one ([MS-WSMV] 3.1.4.1.1: a Version qualifier of major 2; Hyper-V's Msvm_
  // classes have none). No capture of this fault: SOAP code and subcode are taken from its sibling
  // 0x8033813B (note <46>), which the same URI-to-class mapping raises.
  uriNonDmtfClass: {
    code: 'Receiver',
    subcode: [NS.wsman, 'InternalError'],
    reason: 'The WS-Management service cannot process the request. A DMTF resource URI was used to access a non-DMTF class. Try again using a non-DMTF resource URI. ',
    wsmanCode: 2150859065,
  },
  // 0x80338035; MaxEnvelopeSize below 8192 ([MS-WSMV] 3.1.4.1.7, DSP0226 R6.2).
  envelopeLimitTooSmall: {
    code: 'Sender',
    subcode: [NS.wsman, 'EncodingLimit'],
    reason:
      'The WS-Management service cannot process the request because the encoding of the request exceeds an internal encoding limit. Reconfigure the client to send messages which fit the encoding limits of the service. ',
    wsmanCode: 2150858805,
    detail: `${DETAIL}MinimumEnvelopeLimit`,
  },
  // 0x80338048 ERROR_WSMAN_MAX_ENVELOPE_SIZE_EXCEEDED: the reply would not fit the client's MaxEnvelopeSize.
  responseTooLarge: {
    code: 'Sender',
    subcode: [NS.wsman, 'EncodingLimit'],
    reason: 'The response that the WS-Management service computed exceeds the maximum envelope size in the request. ',
    wsmanCode: 2150858824,
    detail: `${DETAIL}MaxEnvelopeSize`,
  },
  // 0x80338042; detail varies: AddressingMode, Locale, DataLocale, FilteringRequired ([MS-WSMV] 3.1.4.1.3-9).
  unsupportedFeature: {
    code: 'Sender',
    subcode: [NS.wsman, 'UnsupportedFeature'],
    reason: 'The WS-Management service does not support the specified feature. Remove the unsupported feature from the request and retry. ',
    wsmanCode: 2150858818,
  },
  // 0x8033804F ERROR_WSMAN_FILTERING_REQUIRED: Enumerate of .../* without a filter.
  filteringRequired: {
    code: 'Sender',
    subcode: [NS.wsman, 'UnsupportedFeature'],
    reason: 'The WS-Management service does not support the filter dialect in the request. The filter dialect is the type of filter, such as XPath or WQL. ',
    wsmanCode: 2150858831,
    detail: `${DETAIL}FilteringRequired`,
  },
  // 0x80338051 ERROR_WSMAN_OPTIONS_NOT_SUPPORTED; [MS-WSMV] 3.1.4.1.10 (MustComply on a WMI resource).
  optionsNotSupported: {
    code: 'Sender',
    subcode: [NS.wsman, 'InvalidOptions'],
    reason:
      'The WS-Management provider does not support the specified option set because mustComply for one of the options is set to true. Change mustComply for one of the options to false. ',
    wsmanCode: 2150858833,
    detail: `${DETAIL}NotSupported`,
  },
  // 0x8033801A; text from a real capture (WinRb soap_fault_v2.xml), including the double space.
  cannotProcessFilter: {
    code: 'Sender',
    subcode: [NS.wsen, 'CannotProcessFilter'],
    reason: 'The data source could not process the filter. The filter might be missing or it might be invalid. Change the filter and try the request again.  ',
    wsmanCode: 2150858778,
  },
  // 0x80338019.
  filterDialectUnavailable: {
    code: 'Sender',
    subcode: [NS.wsen, 'FilterDialectRequestedUnavailable'],
    reason: 'The filter dialect (the type associated with the filter) was not supported for this resource. Change the filter dialect or remove it from the request and try the request again. ',
    wsmanCode: 2150858777,
  },
  // 0x8033801B (code=Receiver in winerror.h).
  invalidEnumerationContext: {
    code: 'Receiver',
    subcode: [NS.wsen, 'InvalidEnumerationContext'],
    reason: 'The WS-Enumeration context in the enumeration is not valid. Enumeration may have been completed or canceled. You cannot use this enumeration context anymore. Start a new enumeration. ',
    wsmanCode: 2150858779,
  },
  // 0x80338041; pywinrm's recorded SchemaValidationError uses this code.
  schemaValidation: {
    code: 'Sender',
    subcode: [NS.wsman, 'SchemaValidationError'],
    reason: 'The SOAP XML in the message does not match the corresponding XML schema definition. Change the XML and retry. ',
    wsmanCode: 2150858817,
  },
  // 0x8033803A: a method parameter that cannot be read.
  invalidParameter: {
    code: 'Sender',
    subcode: [NS.wsman, 'InvalidParameter'],
    reason: 'The WS-Management service cannot process the request because a parameter for the operation is not valid. ',
    wsmanCode: 2150858810,
  },
  // OMI dialect only (its CIM errors other than not-found, e.g. an invalid query): Receiver + wsman:InternalError
  // as OMI 1.0.8-6 sends them; the code is Win32 ERROR_INTERNAL_ERROR, never written in that dialect.
  internalError: {
    code: 'Receiver',
    subcode: [NS.wsman, 'InternalError'],
    reason: 'The WS-Management service cannot process the request because of an internal error. ',
    wsmanCode: 1359,
  },
  // 0x8033800D: not a SOAP 1.2 envelope.
  versionMismatch: {
    code: 'VersionMismatch',
    reason: 'The WS-Management service does not support the SOAP version specified in the request. ',
    wsmanCode: 2150858765,
  },
} as const satisfies Record<string, FaultKind>;

/** The p:__ExtendedStatus WMI adds under f:ExtendedError. */
export interface ExtendedStatus {
  readonly operation: string;
  readonly parameterInfo?: string;
  readonly providerName: string;
  readonly description?: string;
  readonly statusCode?: number;
}

/** An f:ProviderFault from the WMI plug-in (WsmWmiPl.dll), wrapping an inner WSManFault. */
export interface ProviderFaultInfo {
  readonly code: number;
  readonly message: string;
  readonly extendedStatus?: ExtendedStatus;
}

export interface FaultOptions {
  /** f:Message text when there is no provider fault; default: the Reason. */
  readonly message?: string;
  /** Overrides the kind's FaultDetail URI (e.g. UnsupportedFeature/Locale). */
  readonly detail?: string;
  readonly provider?: ProviderFaultInfo;
  /** The OMI dialect's CIM_Error: CIMStatusCode (DSP0200) and message; see writeOmiFault. */
  readonly cim?: CimErrorInfo;
}

export interface CimErrorInfo {
  readonly statusCode: number;
  readonly message: string;
}

/**
 * What OMI 1.0.8-6 said where the emulator's OMI dialect answers with a CIM status (wire captures
 * against `npm run test:omi`'s server): the fault Reason and OMI_Error.Message text, by CIMStatusCode.
 */
export const OMI_CIM_ERRORS = {
  invalidNamespace: { statusCode: 3, message: 'The target namespace does not exist.' },
  invalidClass: { statusCode: 5, message: 'The specified class does not exist.' },
  notFound: { statusCode: 6, message: 'The requested object cannot be found.' },
  invalidQuery: { statusCode: 15, message: 'The query is not valid for the specified query language.' },
} as const satisfies Record<string, CimErrorInfo>;

/** Raised inside the emulator to answer with a SOAP fault; never escapes to users. */
export class EmulatorFault extends HypervWsmanError {
  readonly kind: FaultKind;
  readonly options: FaultOptions;
  constructor(kind: FaultKind, options: FaultOptions = {}) {
    super(ErrorCodes.WSMAN_FAULT, `${kind.subcode?.[1] ?? kind.code}: ${options.message ?? kind.reason}`);
    this.kind = kind;
    this.options = options;
  }
}

/** Fault with FaultDetail `…/faultDetail/<name>`. */
export function faultDetail(name: string): string {
  return `${DETAIL}${name}`;
}
