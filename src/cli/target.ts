/**
 * What get / enumerate / invoke address: a class in a namespace (the Hyper-V one by default), or
 * any WS-Man resource URI, so the tool also serves non-Windows WS-Man servers (OpenWSMAN, AMT, OMI).
 * --dialect says how a class and namespace are put on the wire (src/wsman/dialect.ts): wmi (Windows)
 * puts the namespace in the resource URI, cim (OMI and other DMTF servers) in a __cimnamespace
 * selector; auto asks the server (Identify) first.
 */
import type { Argv } from 'yargs';
import { classNameFromResourceUri } from '../cim/epr.js';
import { InvalidOptionError } from '../errors.js';
import { resolveSettings, type ConnectionArgs } from './connection.js';
import { dialectHint } from './dialect-hint.js';
import type { CliIo } from './io.js';
import { schemaFor, type ClassSchema } from '../hyperv/class-schemas.js';
import type { WsmanClient } from '../wsman/client.js';
import { classTarget, dialectFromIdentify, dialectOfResourceUri, mergeSelectors, type WsmanDialect } from '../wsman/dialect.js';
import { HYPERV_NAMESPACE } from '../wsman/namespaces.js';
import type { Selectors } from '../wsman/requests.js';
import { WsmanFaultError } from '../wsman/fault.js';

export type DialectChoice = WsmanDialect | 'auto';
export const DIALECT_CHOICES: readonly DialectChoice[] = ['wmi', 'cim', 'auto'];

export interface TargetArgs {
  namespace?: string;
  'resource-uri'?: string;
  dialect?: string;
}

export interface Target {
  readonly resourceUri: string;
  /** The class, when known (named, or the last segment of the resource URI). */
  readonly className: string | undefined;
  /** The namespace used for class names (also for references in --param Name:ref=...). */
  readonly namespace: string;
  /** Selectors the dialect adds (the cim dialect's __cimnamespace); merged with the instance keys by withKeys. */
  readonly selectors: Selectors;
  /** The dialect of the request; with --resource-uri, the URI's own. */
  readonly dialect: WsmanDialect;
  /** --dialect auto with a class name: settleTarget asks the server before anything is sent. */
  readonly probe: boolean;
  /** A WQL query about className: the wmi dialect sends it to the namespace's `*` URI, the cim dialect to the class's URI. */
  readonly query?: boolean;
}

const GROUP = 'Target:';
const CLASS_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function withTargetOptions<T>(y: Argv<T>): Argv<T & TargetArgs> {
  return y
    .option('namespace', { type: 'string', group: GROUP, describe: `CIM namespace of the class (default ${HYPERV_NAMESPACE})` })
    .option('resource-uri', { type: 'string', group: GROUP, describe: 'Any WS-Man resource URI instead of a class name (non-Windows servers too)' })
    .option('dialect', {
      type: 'string',
      choices: DIALECT_CHOICES as string[],
      group: GROUP,
      describe: 'How class and namespace are sent: wmi (Windows: namespace in the resource URI; default), cim (OMI/DMTF: __cimnamespace selector), auto (ask the server first)',
    }) as Argv<T & TargetArgs>;
}

/**
 * The args with --dialect as the settings resolve it (flag > $HYPERV_WSMAN_DIALECT > config profile),
 * so a profile for an OMI host can say "dialect": "cim" once.
 */
export function withConfiguredDialect<A extends ConnectionArgs & TargetArgs>(args: A, io: CliIo): A {
  const dialect = resolveSettings(args, io).values.dialect;
  return dialect === undefined ? args : { ...args, dialect };
}

/**
 * For withPreparedClient: the hint for a fault saying the host wants the other dialect
 * (dialect-hint.ts), naming where the dialect setting came from. None for --resource-uri: that URI
 * was given as it is, and the fix is another URI, not --dialect.
 */
export function wrongDialectHint(args: ConnectionArgs & TargetArgs, io: CliIo): (err: unknown, prepared: { readonly target: Target }) => string | undefined {
  return (err, { target }) => (args['resource-uri'] !== undefined ? undefined : dialectHint(err, target.dialect, resolveSettings(args, io).sources.dialect));
}

function dialectChoice(args: TargetArgs): DialectChoice {
  const d = args.dialect ?? 'wmi';
  if (!(DIALECT_CHOICES as readonly string[]).includes(d)) throw new InvalidOptionError(`--dialect must be one of ${DIALECT_CHOICES.join(', ')}; got "${d}".`);
  return d as DialectChoice;
}

function classTargetFor(dialect: WsmanDialect, namespace: string, className: string, probe: boolean, named: string | undefined): Target {
  const t = classTarget(dialect, namespace, className);
  return { resourceUri: t.resourceUri, className: named, namespace, selectors: t.selectors, dialect, probe };
}

/**
 * Where a WQL query goes. WinRM takes it at the namespace's `*` URI ([MS-WSMV] 3.1.4.8.1); a
 * cim-dialect server has no URI for a whole namespace and takes it at the URI of the class the query
 * selects from, with __cimnamespace (OMI 1.0.8-6: a FROM class other than the URI's is refused as an
 * invalid query, CIM_ERR_INVALID_QUERY). A --resource-uri is used as given.
 */
function queryTargetFor(dialect: WsmanDialect, namespace: string, fromClass: string | undefined, probe: boolean): Target {
  if (dialect === 'wmi') return { ...classTargetFor('wmi', namespace, '*', probe, fromClass), query: true };
  if (fromClass === undefined) throw new InvalidOptionError('In the cim dialect a WQL query goes to the class it selects from: write it as SELECT ... FROM <Class> ..., or name the class and use --where.');
  return { ...classTargetFor('cim', namespace, fromClass, probe, fromClass), query: true };
}

/** Target of a WQL query selecting from `fromClass` (undefined when the query names none that can be read). */
export function resolveQueryTarget(fromClass: string | undefined, args: TargetArgs): Target {
  if (args['resource-uri'] !== undefined) return resolveTarget(undefined, args, true);
  const choice = dialectChoice(args);
  return queryTargetFor(choice === 'auto' ? 'wmi' : choice, args.namespace ?? HYPERV_NAMESPACE, fromClass, choice === 'auto');
}

/** Class name or --resource-uri, exactly one; `classOptional` lets enumerate --wql with --resource-uri name no class. */
export function resolveTarget(className: string | undefined, args: TargetArgs, classOptional = false): Target {
  const namespace = args.namespace ?? HYPERV_NAMESPACE;
  const choice = dialectChoice(args);
  const uri = args['resource-uri'];
  if (uri !== undefined) {
    if (className !== undefined) throw new InvalidOptionError(`Give either a class name or --resource-uri, not both (got "${className}" and ${uri}).`);
    if (args.namespace !== undefined) throw new InvalidOptionError('--namespace applies to class names; a --resource-uri already says where the resource is (add --selector __cimnamespace=NS for a DMTF URI).');
    if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(uri)) throw new InvalidOptionError(`--resource-uri must be an absolute URI, got "${uri}".`);
    const own = dialectOfResourceUri(uri);
    if (choice !== 'auto' && args.dialect !== undefined && choice !== own) throw new InvalidOptionError(`--dialect ${choice} contradicts --resource-uri ${uri}, which is a ${own}-dialect URI.`);
    return { resourceUri: uri, className: classNameFromResourceUri(uri), namespace, selectors: {}, dialect: own, probe: false };
  }
  if (className === undefined) {
    if (!classOptional) throw new InvalidOptionError('Name a class (e.g. Msvm_ComputerSystem) or give --resource-uri.');
    return queryTargetFor(choice === 'auto' ? 'wmi' : choice, namespace, undefined, false);
  }
  if (!CLASS_NAME.test(className)) throw new InvalidOptionError(`"${className}" is not a class name; for a resource URI use --resource-uri.`);
  return classTargetFor(choice === 'auto' ? 'wmi' : choice, namespace, className, choice === 'auto', className);
}

export { dialectFromIdentify };

/** For --dialect auto: Identify once, then address the class the way that server expects. */
export async function settleTarget(client: WsmanClient, target: Target): Promise<Target> {
  if (!target.probe || target.className === undefined) return target;
  const dialect = dialectFromIdentify(await client.identify());
  if (target.query === true) return queryTargetFor(dialect, target.namespace, target.className, false);
  return classTargetFor(dialect, target.namespace, target.className, false, target.className);
}

/** The instance keys plus what the dialect adds (__cimnamespace); a contradicting __cimnamespace key is refused. */
export function withKeys(target: Target, keys: Selectors): Selectors {
  return mergeSelectors({ resourceUri: target.resourceUri, selectors: target.selectors }, keys);
}

/** The property schema for a class this project describes (Hyper-V job and error classes), else undefined. */
export function schemaOf(className: string | undefined): ClassSchema | undefined {
  return className === undefined ? undefined : schemaFor(className);
}

/** `--selector KEY=VALUE`, repeatable: the keys of the instance addressed. */
export function withSelectorOption<T>(y: Argv<T>): Argv<T & { selector?: string[] }> {
  return y.option('selector', { type: 'string', array: true, requiresArg: true, describe: 'Key property KEY=VALUE (repeat for each key)' }) as Argv<T & { selector?: string[] }>;
}

/**
 * A fault about the keys of the instance addressed, with what to do about it added: the server's
 * words ("did not contain all required selectors", "cannot find the resource identified by the
 * resource URI and selectors") name no flag. The fault stays the fault (code and exit code); its
 * one-line message gains the hint.
 */
export function withSelectorHint(err: unknown, className: string | undefined, keys: Selectors): unknown {
  if (!(err instanceof WsmanFaultError)) return err;
  const cls = className ?? 'the class';
  const list = className ? ` (hyperv-wsman enumerate ${className} lists its instances with their keys)` : '';
  if (err.subcodeName === 'wsman:InvalidSelectors') {
    err.message += ` Name the instance by its keys: --selector KEY=VALUE, once per key${list}.`;
  } else if (err.subcodeName === 'wsa:DestinationUnreachable' && Object.keys(keys).length > 0 && !/class does not exist/i.test(err.message)) {
    err.message += ` No instance of ${cls} has ${Object.entries(keys).map(([k, v]) => `${k}=${v}`).join(', ')}: check the --selector values${list}.`;
  }
  return err;
}
