/** `hyperv-wsman get <class> --selector K=V ...`: one instance (transfer/Get), typed where a schema is known. */
import type { Argv } from 'yargs';
import { defineCommand } from '../command.js';
import { withConnectionOptions, type ConnectionArgs } from '../connection.js';
import { parseSelectors } from '../key-value.js';
import { writeJson } from '../output.js';
import { formatInstance, instanceToJson } from '../render.js';
import { withPreparedClient } from '../run.js';
import { resolveTarget, schemaOf, settleTarget, withKeys, withSelectorHint, withSelectorOption, withTargetOptions, type TargetArgs, withConfiguredDialect, wrongDialectHint } from '../target.js';

export interface GetArgs extends ConnectionArgs, TargetArgs {
  class?: string;
  selector?: string[];
}

export const getCommand = defineCommand<GetArgs>({
  command: 'get [class]',
  describe: 'Get one instance of a class (or of any --resource-uri) by its keys',
  builder: (y) =>
    withSelectorOption(withTargetOptions(withConnectionOptions(y)))
      .positional('class', { type: 'string', describe: 'WMI class name, e.g. Msvm_ComputerSystem' })
      .example("$0 get Msvm_ConcreteJob --selector InstanceID=5E2C1B2D-... --host hv01 --user 'LAB\\admin'", 'One Hyper-V job, typed, with value-map names')
      .example('$0 get --resource-uri http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ComputerSystem --selector Name=host1 --host omi01 --user op', 'A resource on a non-Windows WS-Man server')
      .example('$0 get MSFT_Person --dialect cim --namespace root/cimv2 --selector Key=777 --host omi01 --user op', 'The same by class and namespace on OMI (namespace sent as __cimnamespace)') as Argv<GetArgs>,
  run: (args, io) =>
    withPreparedClient(
      args,
      io,
      () => ({ target: resolveTarget(args.class, withConfiguredDialect(args, io)), selectors: parseSelectors(args.selector) }),
      async (client, prepared) => {
        const target = await settleTarget(client, prepared.target);
        const inst = await client.getInstance(target.resourceUri, withKeys(target, prepared.selectors), schemaOf(target.className)).catch((err: unknown) => {
          throw withSelectorHint(err, target.className, prepared.selectors);
        });
        if (args.json) writeJson(io, instanceToJson(inst));
        else io.stdout.write(formatInstance(inst) + '\n');
        return 0;
      },
      wrongDialectHint(args, io),
    ),
});
