/**
 * `hyperv-wsman enumerate <class> | --wql "SELECT ..."`: every instance, streamed page by page
 * (Enumerate + Pull), typed where a schema is known. NDJSON with --json.
 */
import type { Argv } from 'yargs';
import { InvalidOptionError } from '../../errors.js';
import { schemaFor } from '../../hyperv/class-schemas.js';
import type { EnumerateArgs } from '../../wsman/requests.js';
import { defineCommand } from '../command.js';
import { withConnectionOptions, type ConnectionArgs } from '../connection.js';
import { writeJson } from '../output.js';
import { formatInstance, instanceToJson } from '../render.js';
import { withPreparedClient } from '../run.js';
import { parseSelectors } from '../key-value.js';
import { resolveQueryTarget, resolveTarget, settleTarget, withKeys, withSelectorOption, withTargetOptions, type Target, type TargetArgs, withConfiguredDialect } from '../target.js';

export interface EnumerateCliArgs extends ConnectionArgs, TargetArgs {
  class?: string;
  selector?: string[];
  wql?: string;
  where?: string;
  'max-elements'?: number;
}

interface Plan {
  readonly target: Target;
  readonly request: EnumerateArgs;
  /** --selector keys (filter instances on DMTF servers; WinRM takes them too). */
  readonly keys: Readonly<Record<string, string>>;
}

/** WQL goes where the dialect takes it (target.ts resolveQueryTarget); --where builds the query for a class. */
function plan(args: EnumerateCliArgs): Plan {
  const max = args['max-elements'];
  if (max !== undefined && !(Number.isInteger(max) && max >= 1)) throw new InvalidOptionError(`--max-elements must be a positive integer, got ${String(max)}.`);
  const paging = max !== undefined ? { maxElements: max } : {};
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

export const enumerateCommand = defineCommand<EnumerateCliArgs>({
  command: 'enumerate [class]',
  describe: 'List the instances of a class, or the result of a WQL query, as they arrive',
  builder: (y) =>
    withSelectorOption(withTargetOptions(withConnectionOptions(y)))
      .positional('class', { type: 'string', describe: 'WMI class name, e.g. Msvm_ComputerSystem' })
      .option('wql', { type: 'string', requiresArg: true, describe: 'A WQL query (wmi dialect: sent to the namespace; cim: to the class it selects from)' })
      .option('where', { type: 'string', requiresArg: true, describe: 'A WQL condition on the class: SELECT * FROM <class> WHERE <this>' })
      .option('max-elements', { type: 'number', requiresArg: true, describe: 'Instances per page (Enumerate/Pull MaxElements; default 100)' })
      .example("$0 enumerate Msvm_ComputerSystem --host hv01 --user 'LAB\\admin' --json", 'Every VM and the host, one JSON object per line')
      .example('$0 enumerate --wql "SELECT * FROM Msvm_ConcreteJob WHERE JobState = 10" --host hv01 --user op', 'Failed jobs')
      .example('$0 enumerate Msvm_ConcreteJob --where "PercentComplete < 100" --host hv01 --user op', 'The same with a condition only') as Argv<EnumerateCliArgs>,
  run: (args, io) =>
    withPreparedClient(
      args,
      io,
      () => plan(withConfiguredDialect(args, io)),
      async (client, prepared) => {
        const target = await settleTarget(client, prepared.target);
        const selectors = withKeys(target, prepared.keys);
        const request: EnumerateArgs = Object.keys(selectors).length > 0 ? { ...prepared.request, selectors } : prepared.request;
        let first = true;
        for await (const inst of client.enumerateInstances(target.resourceUri, request, (cls) => schemaFor(cls))) {
          if (args.json) writeJson(io, instanceToJson(inst));
          else io.stdout.write((first ? '' : '\n') + formatInstance(inst) + '\n');
          first = false;
        }
        return 0;
      },
    ),
});
