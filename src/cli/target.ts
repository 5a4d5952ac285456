/**
 * What get / enumerate / invoke address: a WMI class in a namespace (the Hyper-V one by default), or
 * any WS-Man resource URI, so the tool also serves non-Windows WS-Man servers (OpenWSMAN, AMT, OMI).
 */
import type { Argv } from 'yargs';
import { classNameFromResourceUri } from '../cim/epr.js';
import { InvalidOptionError } from '../errors.js';
import { schemaFor, type ClassSchema } from '../hyperv/class-schemas.js';
import { HYPERV_NAMESPACE, wmiResourceUri } from '../wsman/namespaces.js';

export interface TargetArgs {
  namespace?: string;
  'resource-uri'?: string;
}

export interface Target {
  readonly resourceUri: string;
  /** The class, when known (named, or the last segment of the resource URI). */
  readonly className: string | undefined;
  /** The namespace used for WMI class names (also for references in --param Name:ref=...). */
  readonly namespace: string;
}

const GROUP = 'Target:';
const CLASS_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function withTargetOptions<T>(y: Argv<T>): Argv<T & TargetArgs> {
  return y
    .option('namespace', { type: 'string', group: GROUP, describe: `WMI namespace of the class (default ${HYPERV_NAMESPACE})` })
    .option('resource-uri', { type: 'string', group: GROUP, describe: 'Any WS-Man resource URI instead of a WMI class (non-Windows servers too)' }) as Argv<T & TargetArgs>;
}

/** Class name or --resource-uri, exactly one; `classOptional` lets enumerate --wql name neither. */
export function resolveTarget(className: string | undefined, args: TargetArgs, classOptional = false): Target {
  const namespace = args.namespace ?? HYPERV_NAMESPACE;
  const uri = args['resource-uri'];
  if (uri !== undefined) {
    if (className !== undefined) throw new InvalidOptionError(`Give either a class name or --resource-uri, not both (got "${className}" and ${uri}).`);
    if (args.namespace !== undefined) throw new InvalidOptionError('--namespace applies to class names; a --resource-uri already says where the resource is.');
    if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(uri)) throw new InvalidOptionError(`--resource-uri must be an absolute URI, got "${uri}".`);
    return { resourceUri: uri, className: classNameFromResourceUri(uri), namespace };
  }
  if (className === undefined) {
    if (classOptional) return { resourceUri: wmiResourceUri(namespace, '*'), className: undefined, namespace };
    throw new InvalidOptionError('Name a class (e.g. Msvm_ComputerSystem) or give --resource-uri.');
  }
  if (!CLASS_NAME.test(className)) throw new InvalidOptionError(`"${className}" is not a class name; for a resource URI use --resource-uri.`);
  return { resourceUri: wmiResourceUri(namespace, className), className, namespace };
}

/** The property schema for a class this project describes (Hyper-V job and error classes), else undefined. */
export function schemaOf(className: string | undefined): ClassSchema | undefined {
  return className === undefined ? undefined : schemaFor(className);
}

/** `--selector KEY=VALUE`, repeatable: the keys of the instance addressed. */
export function withSelectorOption<T>(y: Argv<T>): Argv<T & { selector?: string[] }> {
  return y.option('selector', { type: 'string', array: true, requiresArg: true, describe: 'Key property KEY=VALUE (repeat for each key)' }) as Argv<T & { selector?: string[] }>;
}
