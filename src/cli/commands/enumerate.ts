/**
 * `hyperv-wsman enumerate <class> | --wql "SELECT ..." | --associated-with CLASS --selector K=V`:
 * every instance, streamed page by page (Enumerate + Pull), typed where a schema is known. NDJSON
 * with --json. --associated-with sends the DMTF association filter (DSP0227 8.2.1).
 */
import type { Argv } from 'yargs';
import { InvalidOptionError } from '../../errors.js';
import { classTarget } from '../../wsman/dialect.js';
import { schemaFor } from '../../hyperv/class-schemas.js';
import type { EnumerateArgs } from '../../wsman/requests.js';
import { defineCommand } from '../command.js';
import { withConnectionOptions, type ConnectionArgs } from '../connection.js';
import { isTty, writeJson } from '../output.js';
import { requirePositiveInteger } from '../../positive-integer.js';
import { formatInstance, instanceToJson } from '../render.js';
import { withPreparedClient } from '../run.js';
import { parseSelectors } from '../key-value.js';
import { HYPERV_NAMESPACE } from '../../wsman/namespaces.js';
import { resolveQueryTarget, resolveTarget, settleTarget, withKeys, withSelectorHint, withSelectorOption, withTargetOptions, type Target, type TargetArgs, withConfiguredDialect, wrongDialectHint } from '../target.js';

export interface EnumerateCliArgs extends ConnectionArgs, TargetArgs {
  class?: string;
  selector?: string[];
  wql?: string;
  where?: string;
  'max-elements'?: number;
  'max-items'?: number;
  'associated-with'?: string;
  'association-class'?: string;
  'result-class'?: string;
  role?: string;
  'result-role'?: string;
}

const ASSOCIATION_FLAGS = ['association-class', 'result-class', 'role', 'result-role'] as const;

interface Plan {
  readonly target: Target;
  readonly request: EnumerateArgs;
  /** --selector keys (filter instances on DMTF servers; WinRM takes them too). */
  readonly keys: Readonly<Record<string, string>>;
}

/**
 * --associated-with: the association filter goes to the namespace's `*` URI with the source instance
 * (class + --selector keys) as its Object, as WinRM takes it ([MS-WSMV] 3.1.4.1.13; the winrm
 * tool's -dialect:association). The keys name the source, so they are not sent as header selectors.
 */
function associationPlan(source: string, args: EnumerateCliArgs, paging: { maxElements?: number; maxItems?: number }): Plan {
  const conflicts = [args.class !== undefined && 'a class argument (use --result-class)', args.wql !== undefined && '--wql', args.where !== undefined && '--where', args['resource-uri'] !== undefined && '--resource-uri'].filter((c) => c !== false);
  if (conflicts.length > 0) throw new InvalidOptionError(`--associated-with does not go with ${conflicts.join(', ')}: it names the instance to start from, and --result-class the class of what comes back.`);
  if ((args.dialect ?? 'wmi') === 'cim') throw new InvalidOptionError('--associated-with needs the wmi dialect (WinRM): the query goes to a whole namespace, which the cim dialect cannot address.');
  const keys = parseSelectors(args.selector);
  if (Object.keys(keys).length === 0) throw new InvalidOptionError(`--associated-with ${source} needs the keys of the instance to start from: --selector KEY=VALUE (e.g. --selector InstanceID=... for a job).`);
  const namespace = args.namespace ?? HYPERV_NAMESPACE;
  const object = { resourceUri: classTarget('wmi', namespace, source).resourceUri, selectors: keys };
  const association = {
    kind: 'AssociatedInstances' as const,
    object,
    ...(args['association-class'] !== undefined ? { associationClassName: args['association-class'] } : {}),
    ...(args.role !== undefined ? { role: args.role } : {}),
    ...(args['result-class'] !== undefined ? { resultClassName: args['result-class'] } : {}),
    ...(args['result-role'] !== undefined ? { resultRole: args['result-role'] } : {}),
  };
  const all = resolveTarget(undefined, { ...args, dialect: 'wmi' }, true);
  return { target: all, request: { association, ...paging }, keys: {} };
}

/** WQL goes where the dialect takes it (target.ts resolveQueryTarget); --where builds the query for a class. */
function plan(args: EnumerateCliArgs): Plan {
  const max = args['max-elements'];
  if (max !== undefined) requirePositiveInteger('--max-elements', max);
  const maxItems = args['max-items'];
  if (maxItems !== undefined) requirePositiveInteger('--max-items', maxItems);
  // No default bound: instances are printed as they arrive, never collected.
  const paging = { ...(max !== undefined ? { maxElements: max } : {}), ...(maxItems !== undefined ? { maxItems } : {}) };
  const source = args['associated-with'];
  if (source !== undefined) return associationPlan(source, args, paging);
  const stray = ASSOCIATION_FLAGS.filter((f) => args[f] !== undefined);
  if (stray.length > 0) throw new InvalidOptionError(`${stray.map((f) => `--${f}`).join(', ')} ${stray.length === 1 ? 'goes' : 'go'} with --associated-with CLASS --selector KEY=VALUE.`);
  const keys = parseSelectors(args.selector);
  if (args.wql !== undefined) {
    // A class beside a query is accepted when it is the class the query selects from (case as WMI: insensitive).
    const from = /\bFROM\s+([A-Za-z_][A-Za-z0-9_]*)/i.exec(args.wql)?.[1];
    if (args.class !== undefined && (from === undefined || from.toLowerCase() !== args.class.toLowerCase())) {
      throw new InvalidOptionError(`The class ${args.class} and the --wql query (FROM ${from ?? '?'}) disagree: give the class once, in the query or as the argument.`);
    }
    if (args.where !== undefined) throw new InvalidOptionError('--where goes with a class name; with --wql, put the condition in the query.');
    return { target: resolveQueryTarget(from, args), request: { wql: args.wql, ...paging }, keys };
  }
  const target = resolveTarget(args.class, args);
  if (args.where === undefined) return { target, request: paging, keys };
  if (args['resource-uri'] !== undefined) throw new InvalidOptionError('--where needs a WMI class name, not --resource-uri; use --wql for a full query.');
  return { target: resolveQueryTarget(target.className, args), request: { wql: `SELECT * FROM ${target.className} WHERE ${args.where}`, ...paging }, keys };
}

const ASSOCIATION_GROUP = 'Association:';

/** What an empty answer means, said on a terminal: the server listed nothing, which is not an error. */
function emptyAnswer(args: EnumerateCliArgs): string {
  if (args['associated-with'] === undefined) return 'No instances listed.\n';
  const filters = ASSOCIATION_FLAGS.filter((f) => args[f] !== undefined).map((f) => `--${f}`);
  return `No instances listed.${filters.length ? ` A ${filters.join(', ')} that names nothing in the association also gives none, not an error.` : ''}\n`;
}

export const enumerateCommand = defineCommand<EnumerateCliArgs>({
  command: 'enumerate [class]',
  describe: 'List the instances of a class, or the result of a WQL query, as they arrive',
  builder: (y) =>
    withSelectorOption(withTargetOptions(withConnectionOptions(y)))
      .positional('class', { type: 'string', describe: 'WMI class name, e.g. Msvm_ComputerSystem' })
      .option('wql', { type: 'string', requiresArg: true, describe: 'A WQL query (wmi dialect: sent to the namespace; cim: to the class it selects from)' })
      .option('where', { type: 'string', requiresArg: true, describe: 'A WQL condition on the class: SELECT * FROM <class> WHERE <this>' })
      .option('max-elements', { type: 'number', requiresArg: true, describe: 'Instances per page (Enumerate/Pull MaxElements; default 100)' })
      .option('max-items', { type: 'number', requiresArg: true, describe: 'Stop with an error (exit 6) after more than N instances (default: no limit; instances stream)' })
      .option('associated-with', { type: 'string', requiresArg: true, group: ASSOCIATION_GROUP, describe: 'The instances associated with one instance of this class, named by --selector (DMTF association filter)' })
      .option('association-class', { type: 'string', requiresArg: true, group: ASSOCIATION_GROUP, describe: 'Only through this association class, e.g. Msvm_AffectedJobElement' })
      .option('result-class', { type: 'string', requiresArg: true, group: ASSOCIATION_GROUP, describe: 'Only results of this class (or a subclass), e.g. Msvm_ComputerSystem' })
      .option('role', { type: 'string', requiresArg: true, group: ASSOCIATION_GROUP, describe: 'The association property that refers to the --associated-with instance, e.g. AffectingElement' })
      .option('result-role', { type: 'string', requiresArg: true, group: ASSOCIATION_GROUP, describe: 'The association property that refers to the results, e.g. AffectedElement' })
      .example("$0 enumerate Msvm_ComputerSystem --host hv01 --user 'LAB\\admin' --json", 'Every VM and the host, one JSON object per line')
      .example('$0 enumerate --wql "SELECT * FROM Msvm_ConcreteJob WHERE JobState = 10" --host hv01 --user op', 'Failed jobs')
      .example('$0 enumerate Msvm_ConcreteJob --where "PercentComplete < 100" --host hv01 --user op', 'Unfinished jobs: a condition on the class, not a whole query')
      .example('$0 enumerate --associated-with Msvm_ConcreteJob --selector InstanceID=5E2C1B2D-... --association-class Msvm_AffectedJobElement --host hv01 --user op', 'The VM a job worked on') as Argv<EnumerateCliArgs>,
  run: (args, io) =>
    withPreparedClient(
      args,
      io,
      () => plan(withConfiguredDialect(args, io)),
      async (client, prepared) => {
        const target = await settleTarget(client, prepared.target);
        const source = args['associated-with'];
        const selectors = withKeys(target, prepared.keys);
        const request: EnumerateArgs = Object.keys(selectors).length > 0 ? { ...prepared.request, selectors } : prepared.request;
        let first = true;
        try {
          for await (const inst of client.enumerateInstances(target.resourceUri, request, (cls) => schemaFor(cls))) {
            if (args.json) writeJson(io, instanceToJson(inst));
            else io.stdout.write((first ? '' : '\n') + formatInstance(inst) + '\n');
            first = false;
          }
        } catch (err) {
          // The instance an association starts from is named by --selector: a fault about it says so.
          throw source === undefined ? err : withSelectorHint(err, source, parseSelectors(args.selector));
        }
        // On a terminal, silence would read as "nothing happened"; a script sees the empty output as it is.
        if (first && !args.json && isTty(io)) io.stdout.write(emptyAnswer(args));
        return 0;
      },
      wrongDialectHint(args, io),
    ),
});
