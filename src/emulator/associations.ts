/**
 * Association traversal on the emulated host: Msvm_AffectedJobElement between its jobs
 * (AffectingElement) and the VMs they work on (AffectedElement), asked either with the DMTF
 * association filter (DSP0227 8.2: AssociatedInstances / AssociationInstances) or with WQL's
 * ASSOCIATORS OF / REFERENCES OF (MS-WMI 2.2.1). Both are read into one AssociationQuery and answered
 * by evaluateAssociation, as WinRM hands both to WMI.
 *
 * Faults: a filter or query that cannot be read is wsen:CannotProcessFilter (as for a bad WQL query);
 * a source instance that does not exist is "not found" from the Hyper-V provider. Which of the two a
 * real host sends for each case is not in the public record; these are the closest documented faults.
 */
import { attr, child, childrenNamed, textOf, type XmlElement } from '../xml/tree.js';
import { HYPERV_NAMESPACE, NS, WMI_RESOURCE_PREFIX } from '../wsman/namespaces.js';
import { AFFECTED_JOB_ELEMENT, canonicalClassName, includesVms, isAffectedJobElementClass, jobClassesFor } from './classes.js';
import type { EnumeratedRef } from './enumerations.js';
import { EmulatorFault, FAULT } from './faults.js';
import { writeEprContent } from './instance-xml.js';
import type { JobFixture, JobModel, VmFixture } from './model.js';
import { CLASS_MISSING, checkCimNamespace, findJob, instanceNotFound, notFound, VMMS_PROVIDER } from './targets.js';

export interface AssociationQuery {
  /** associators: the other ends (AssociatedInstances); references: the association instances (AssociationInstances). */
  readonly kind: 'associators' | 'references';
  readonly source: { readonly className: string; readonly keys: ReadonlyArray<readonly [string, string]> };
  readonly associationClass?: string;
  readonly resultClass?: string;
  readonly role?: string;
  readonly resultRole?: string;
  /** IncludeResultProperty: a projection of the results. */
  readonly properties?: readonly string[];
  /** The query as WQL, for fault details. */
  readonly text: string;
}

/** The roles of Msvm_AffectedJobElement (Microsoft's class page). */
const JOB_ROLE = 'AffectingElement';
const VM_ROLE = 'AffectedElement';

function cannotProcess(text: string, message: string): EmulatorFault {
  return new EmulatorFault(FAULT.cannotProcessFilter, {
    provider: { code: FAULT.cannotProcessFilter.wsmanCode, message, extendedStatus: { operation: 'ExecQuery', parameterInfo: text, providerName: 'WinMgmt' } },
  });
}

/** The WQL equivalent of a query, for fault details (MS-WMI 2.2.1 syntax). */
function asWql(q: Omit<AssociationQuery, 'text'>): string {
  const keys = q.source.keys.map(([k, v]) => `${k}="${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',');
  const where: string[] = [];
  if (q.associationClass) where.push(`AssocClass = ${q.associationClass}`);
  if (q.resultClass) where.push(`ResultClass = ${q.resultClass}`);
  if (q.role) where.push(`Role = ${q.role}`);
  if (q.resultRole) where.push(`ResultRole = ${q.resultRole}`);
  return `${q.kind === 'associators' ? 'ASSOCIATORS' : 'REFERENCES'} OF {${q.source.className}.${keys}}${where.length ? ` WHERE ${where.join(' ')}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// The DMTF association filter (DSP0227 8.2)

function optionalText(el: XmlElement, local: string): string | undefined {
  const c = child(el, NS.cimbinding, local);
  return c ? textOf(c).trim() : undefined;
}

/** Class of a WMI resource URI in the emulated namespace, else a CannotProcessFilter fault. */
function classOfObjectUri(uri: string): string {
  const prefix = `${WMI_RESOURCE_PREFIX}${HYPERV_NAMESPACE}/`;
  if (uri.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) throw cannotProcess(uri, 'Invalid namespace ');
  const name = uri.slice(prefix.length);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw cannotProcess(uri, CLASS_MISSING);
  return name;
}

/** Read a wsman:Filter of the association dialect; anything that does not fit DSP0227 8.2 is CannotProcessFilter. */
export function parseAssociationFilter(filter: XmlElement): AssociationQuery {
  const associated = child(filter, NS.cimbinding, 'AssociatedInstances');
  const references = child(filter, NS.cimbinding, 'AssociationInstances');
  const query = associated ?? references;
  if (!query || (associated && references)) throw new EmulatorFault(FAULT.cannotProcessFilter);
  const object = child(query, NS.cimbinding, 'Object');
  const params = object && child(object, NS.wsa, 'ReferenceParameters');
  const uriEl = params && child(params, NS.wsman, 'ResourceURI');
  if (!uriEl) throw new EmulatorFault(FAULT.cannotProcessFilter);
  const className = classOfObjectUri(textOf(uriEl).trim());
  const set = child(params, NS.wsman, 'SelectorSet');
  const keys: Array<readonly [string, string]> = [];
  for (const sel of set ? childrenNamed(set, NS.wsman, 'Selector') : []) {
    const name = attr(sel, 'Name');
    if (name === undefined) throw new EmulatorFault(FAULT.cannotProcessFilter);
    if (name.toLowerCase() === '__cimnamespace') checkCimNamespace(textOf(sel));
    else keys.push([name, textOf(sel)]);
  }
  const properties = childrenNamed(query, NS.cimbinding, 'IncludeResultProperty').map((e) => textOf(e).trim());
  const parsed = {
    kind: associated ? ('associators' as const) : ('references' as const),
    source: { className, keys },
    ...(associated ? { associationClass: optionalText(query, 'AssociationClassName'), resultRole: optionalText(query, 'ResultRole') } : {}),
    resultClass: optionalText(query, 'ResultClassName'),
    role: optionalText(query, 'Role'),
    ...(properties.length > 0 ? { properties } : {}),
  };
  return { ...parsed, text: asWql(parsed) };
}

// ---------------------------------------------------------------------------------------------
// WQL ASSOCIATORS OF / REFERENCES OF (MS-WMI 2.2.1)

const ASSOCIATION_WQL = /^\s*(ASSOCIATORS|REFERENCES)\s+OF\s*\{([^}]*)\}\s*(?:WHERE\s+([\s\S]*?))?\s*$/i;
/** WHERE keywords each statement takes (MS-WMI 2.2.1); the qualifier and schema-only ones are not emulated. */
const WHERE_KEYWORDS: Readonly<Record<'associators' | 'references', Readonly<Record<string, keyof AssociationQuery>>>> = {
  associators: { assocclass: 'associationClass', resultclass: 'resultClass', role: 'role', resultrole: 'resultRole' },
  references: { resultclass: 'resultClass', role: 'role' },
};

/** True when a WQL text is an ASSOCIATORS OF or REFERENCES OF statement rather than a SELECT. */
export function isAssociationWql(text: string): boolean {
  return /^\s*(ASSOCIATORS|REFERENCES)\s+OF\b/i.test(text);
}

/** `Class.Key="v",Key2='w'` (optionally after `\\host\ns:` or `ns:`), as WMI object paths are written. */
function parseObjectPath(path: string, text: string): AssociationQuery['source'] {
  const bare = path.trim().replace(/^[^:{]*:(?=[A-Za-z_])/, '');
  const m = /^([A-Za-z_][A-Za-z0-9_]*)\.(.+)$/s.exec(bare);
  if (!m) throw cannotProcess(text, 'Invalid object path ');
  const keys: Array<readonly [string, string]> = [];
  const re = /\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?:"((?:\\.|[^"\\])*)"|'((?:\\.|[^'\\])*)'|(-?\d+))\s*(,|$)/y;
  let end = false;
  while (!end) {
    const k = re.exec(m[2]!);
    if (!k) throw cannotProcess(text, 'Invalid object path ');
    const quoted = k[2] ?? k[3];
    keys.push([k[1]!, quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : k[4]!]);
    end = k[5] === '' || re.lastIndex >= m[2]!.length;
  }
  return { className: m[1]!, keys };
}

export function parseAssociationWql(text: string): AssociationQuery {
  const m = ASSOCIATION_WQL.exec(text);
  if (!m) throw cannotProcess(text, 'Invalid query ');
  const kind = m[1]!.toLowerCase() === 'associators' ? 'associators' : 'references';
  const query: { -readonly [K in keyof AssociationQuery]?: AssociationQuery[K] } = { kind, source: parseObjectPath(m[2]!, text), text };
  const words = (m[3] ?? '').trim();
  const re = /([A-Za-z]+)\s*=\s*([A-Za-z_][A-Za-z0-9_]*)\s*/y;
  for (let at = 0; at < words.length; ) {
    re.lastIndex = at;
    const w = re.exec(words);
    const field = w && WHERE_KEYWORDS[kind][w[1]!.toLowerCase()];
    if (!w || !field || query[field] !== undefined) throw cannotProcess(text, 'Invalid query ');
    (query as Record<string, string>)[field] = w[2]!;
    at = re.lastIndex;
  }
  return query as AssociationQuery;
}

// ---------------------------------------------------------------------------------------------
// Answering

function known(className: string, text: string): string {
  const c = canonicalClassName(className);
  if (c === undefined) throw cannotProcess(text, CLASS_MISSING);
  return c;
}

function keyValue(keys: AssociationQuery['source']['keys'], name: string): string | undefined {
  return keys.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
}

interface Link {
  readonly job: JobFixture;
  readonly vm: VmFixture;
}

/** Every job-to-VM link of the model whose job and VM both exist. */
function links(model: JobModel): Link[] {
  const out: Link[] = [];
  for (const job of model.list()) {
    for (const name of job.affectedElements ?? []) {
      const vm = model.vm(name);
      if (vm) out.push({ job, vm });
    }
  }
  return out;
}

const sameText = (a: string | undefined, b: string): boolean => a === undefined || a.toLowerCase() === b.toLowerCase();

/**
 * The result set of an association query: the other ends (associators) or the Msvm_AffectedJobElement
 * instances (references) of the source instance, narrowed by association class, roles and result class.
 */
export function evaluateAssociation(q: AssociationQuery, model: JobModel): EnumeratedRef[] {
  const sourceClass = known(q.source.className, q.text);
  const associationClass = q.associationClass === undefined ? undefined : known(q.associationClass, q.text);
  const resultClass = q.resultClass === undefined ? undefined : known(q.resultClass, q.text);
  // Only Msvm_AffectedJobElement has instances here; another association is valid and links nothing.
  if (associationClass !== undefined && !isAffectedJobElementClass(associationClass)) return [];

  let sourceRole: string;
  let ends: Link[];
  if (jobClassesFor(sourceClass).length > 0) {
    const id = keyValue(q.source.keys, 'InstanceID');
    const job = id === undefined ? undefined : findJob(model, sourceClass, id);
    if (!job) throw instanceNotFound(sourceClass, id ?? '', 'ExecQuery');
    sourceRole = JOB_ROLE;
    ends = links(model).filter((l) => l.job.instanceId.toUpperCase() === job.instanceId.toUpperCase());
  } else if (includesVms(sourceClass)) {
    const name = keyValue(q.source.keys, 'Name');
    const vm = name === undefined ? undefined : model.vm(name);
    if (!vm) throw notFound(FAULT.resourceNotFound.reason, { operation: 'ExecQuery', providerName: VMMS_PROVIDER, parameterInfo: `${sourceClass}.Name="${name ?? ''}"` });
    sourceRole = VM_ROLE;
    ends = links(model).filter((l) => l.vm.name.toUpperCase() === vm.name.toUpperCase());
  } else {
    return [];
  }
  if (!sameText(q.role, sourceRole)) return [];

  if (q.kind === 'references') {
    if (resultClass !== undefined && !isAffectedJobElementClass(resultClass)) return [];
    return ends.map((l) => ({ kind: 'affected', instanceId: l.job.instanceId, vmName: l.vm.name }));
  }
  const otherRole = sourceRole === JOB_ROLE ? VM_ROLE : JOB_ROLE;
  if (!sameText(q.resultRole, otherRole)) return [];
  const seen = new Set<string>();
  const out: EnumeratedRef[] = [];
  for (const l of ends) {
    const ref: EnumeratedRef =
      sourceRole === JOB_ROLE ? { kind: 'vm', name: l.vm.name } : { kind: 'job', className: l.job.className, instanceId: l.job.instanceId };
    const wanted = resultClass === undefined || (ref.kind === 'vm' ? includesVms(resultClass) : jobClassesFor(resultClass).includes(l.job.className));
    const id = ref.kind === 'vm' ? `vm:${ref.name}` : `job:${ref.instanceId}`;
    if (wanted && !seen.has(id.toUpperCase())) {
      seen.add(id.toUpperCase());
      out.push(ref);
    }
  }
  return out;
}

/**
 * One Msvm_AffectedJobElement instance: its two references as EPRs (properties in alphabetical order,
 * as WinRM writes instances). ElementEffects is not known from a real host; 0 (Unknown) says so.
 */
export function writeAffectedJobElement(job: JobFixture, vm: VmFixture): string {
  const uri = `${WMI_RESOURCE_PREFIX}${HYPERV_NAMESPACE}/${AFFECTED_JOB_ELEMENT}`;
  return (
    `<p:${AFFECTED_JOB_ELEMENT} xmlns:p="${uri}" xmlns:a="${NS.wsa}" xmlns:w="${NS.wsman}" xmlns:xsi="${NS.xsi}" xsi:type="p:${AFFECTED_JOB_ELEMENT}_Type">` +
    `<p:AffectedElement>${writeEprContent('Msvm_ComputerSystem', { CreationClassName: 'Msvm_ComputerSystem', Name: vm.name })}</p:AffectedElement>` +
    `<p:AffectingElement>${writeEprContent(job.className, { InstanceID: job.instanceId })}</p:AffectingElement>` +
    '<p:ElementEffects>0</p:ElementEffects><p:OtherElementEffectsDescriptions xsi:nil="true"/>' +
    `</p:${AFFECTED_JOB_ELEMENT}>`
  );
}
