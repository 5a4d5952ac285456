/**
 * The DMTF association filter for Enumerate (DSP0227 8.2, dialect ASSOCIATION_FILTER_DIALECT): from
 * one instance (the Object EPR), either the instances associated with it (AssociatedInstances, as
 * WQL ASSOCIATORS OF) or the association instances that refer to it (AssociationInstances, as WQL
 * REFERENCES OF). WinRM accepts it since 2.0 on the namespace's `*` resource URI ([MS-WSMV]
 * 3.1.4.1.13; Microsoft's "DMTF Profile Discovery Through Association Traversal").
 *
 * Child order, as openwsman's wsman-filter.c writes it and OMI's wsmanparser.c documents it (OMI
 * reads them in any order): Object, AssociationClassName, Role, ResultClassName, ResultRole,
 * IncludeResultProperty*; AssociationInstances has Object, Role, ResultClassName, IncludeResultProperty*
 * (as the Intel AMT SDK sends it). Whether WinRM minds the order is not in the public record.
 */
import { InvalidOptionError } from '../errors.js';
import { escapeAttr, escapeText } from '../xml/escape.js';
import { selectorSetXml } from './envelope.js';
import { ANONYMOUS, NS } from './namespaces.js';
import type { Selectors } from './requests.js';

/** DSP0227 8.2: Filter/@Dialect of an association query. */
export const ASSOCIATION_FILTER_DIALECT = 'http://schemas.dmtf.org/wbem/wsman/1/cimbinding/associationFilter';

/** The instance the traversal starts from: a WS-Addressing EPR (DSP0226 5.1) sent as wsmb:Object. */
export interface AssociationObject {
  /** The source instance's class resource URI, e.g. `.../wmi/root/virtualization/v2/Msvm_ConcreteJob`. */
  readonly resourceUri: string;
  /** Its keys, e.g. `{ InstanceID: '...' }`. */
  readonly selectors: Selectors;
  /** wsa:Address; default the anonymous address, as WinRM writes its own references. */
  readonly address?: string;
}

/** The instances associated with `object` (DSP0227 8.2.1; WQL: ASSOCIATORS OF {object} WHERE ...). */
export interface AssociatedInstancesFilter {
  readonly kind: 'AssociatedInstances';
  readonly object: AssociationObject;
  /** Only through associations of this class (or a subclass), e.g. Msvm_AffectedJobElement. */
  readonly associationClassName?: string;
  /** The property of the association that refers to `object`, e.g. AffectingElement. */
  readonly role?: string;
  /** Only results of this class (or a subclass), e.g. Msvm_ComputerSystem. */
  readonly resultClassName?: string;
  /** The property of the association that refers to the result, e.g. AffectedElement. */
  readonly resultRole?: string;
  /** Properties to return (all when absent). */
  readonly includeResultProperties?: readonly string[];
}

/** The association instances that refer to `object` (DSP0227 8.2.2; WQL: REFERENCES OF {object} WHERE ...). */
export interface AssociationInstancesFilter {
  readonly kind: 'AssociationInstances';
  readonly object: AssociationObject;
  /** The property of the association that refers to `object`. */
  readonly role?: string;
  /** Only associations of this class (or a subclass). */
  readonly resultClassName?: string;
  readonly includeResultProperties?: readonly string[];
}

export type AssociationFilter = AssociatedInstancesFilter | AssociationInstancesFilter;

/** xs:NCName as CIM names use it: class, role and property names. */
const CIM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkName(what: string, value: string | undefined): void {
  if (value !== undefined && !CIM_NAME.test(value)) throw new InvalidOptionError(`The association filter's ${what} "${value}" is not a CIM name (letters, digits and _).`);
}

function element(local: string, value: string | undefined): string {
  return value === undefined ? '' : `<b:${local}>${escapeText(value)}</b:${local}>`;
}

/**
 * The wsman:Filter element of an association query, for an Enumerate body whose envelope declares
 * `a` (WS-Addressing) and `w` (WS-Management); the CIM binding namespace is declared on the filter.
 */
export function associationFilterXml(filter: AssociationFilter): string {
  const { object } = filter;
  if (object.resourceUri.trim() === '') throw new InvalidOptionError('The association filter needs the resource URI of the instance to start from.');
  if (Object.keys(object.selectors).length === 0) throw new InvalidOptionError('The association filter needs the keys (selectors) of the instance to start from.');
  checkName('role', filter.role);
  checkName('result class', filter.resultClassName);
  for (const p of filter.includeResultProperties ?? []) checkName('result property', p);
  const objectXml =
    `<b:Object><a:Address>${escapeText(object.address ?? ANONYMOUS)}</a:Address>` +
    `<a:ReferenceParameters><w:ResourceURI>${escapeText(object.resourceUri)}</w:ResourceURI>${selectorSetXml(object.selectors)}</a:ReferenceParameters></b:Object>`;
  const include = (filter.includeResultProperties ?? []).map((p) => element('IncludeResultProperty', p)).join('');
  let inner: string;
  if (filter.kind === 'AssociatedInstances') {
    checkName('association class', filter.associationClassName);
    checkName('result role', filter.resultRole);
    inner =
      objectXml +
      element('AssociationClassName', filter.associationClassName) +
      element('Role', filter.role) +
      element('ResultClassName', filter.resultClassName) +
      element('ResultRole', filter.resultRole) +
      include;
  } else {
    inner = objectXml + element('Role', filter.role) + element('ResultClassName', filter.resultClassName) + include;
  }
  return (
    `<w:Filter Dialect="${escapeAttr(ASSOCIATION_FILTER_DIALECT)}" xmlns:b="${NS.cimbinding}">` +
    `<b:${filter.kind}>${inner}</b:${filter.kind}></w:Filter>`
  );
}
