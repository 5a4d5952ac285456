/** `hyperv-wsman identify`: what WS-Man service answers, and which auth profiles it offers. */
import type { IdentifyResult } from '../../wsman/responses.js';
import { defineCommand } from '../command.js';
import { endpointOptions, withConnectionOptions, type ConnectionArgs } from '../connection.js';
import { writeJson } from '../output.js';
import { reportError, withClient } from '../run.js';
import type { CliIo } from '../io.js';
import { identifyUnauthenticated } from '../../wsman/identify-unauthenticated.js';

export interface IdentifyJson extends IdentifyResult {
  readonly endpoint: string;
}

interface IdentifyArgs extends ConnectionArgs {
  unauthenticated?: boolean;
}

export const identifyCommand = defineCommand<IdentifyArgs>({
  command: 'identify',
  describe: 'Ask the WS-Man service who it is (wsmid:Identify): protocol, vendor, version, security profiles',
  builder: (y) =>
    withConnectionOptions(y)
      .option('unauthenticated', { type: 'boolean', describe: 'Identify without credentials (WSMANIDENTIFY: unauthenticated); no --user or password needed' })
      .example("HYPERV_WSMAN_PASSWORD=... $0 identify --host hv01 --user 'LAB\\admin' --json", 'Check that the host answers and the credentials work')
      .example('$0 identify --host hv01 --unauthenticated', 'Probe a host without credentials'),
  run: (args, io) =>
    args.unauthenticated
      ? runUnauthenticated(args, io)
      : withClient(args, io, async (client) => {
      const r = await client.identify();
      const doc: IdentifyJson = { endpoint: client.endpoint, ...r };
      if (args.json) writeJson(io, doc);
      else io.stdout.write(renderIdentify(doc));
      return 0;
    }),
});

async function runUnauthenticated(args: IdentifyArgs, io: CliIo): Promise<number> {
  try {
    const doc: IdentifyJson = await identifyUnauthenticated(await endpointOptions(args, io));
    if (args.json) writeJson(io, doc);
    else io.stdout.write(renderIdentify(doc));
    return 0;
  } catch (err) {
    return reportError(err, args, io);
  }
}

export function renderIdentify(d: IdentifyJson): string {
  return (
    `Endpoint:          ${d.endpoint}\n` +
    `Protocol version:  ${d.protocolVersion}\n` +
    `Product vendor:    ${d.productVendor}\n` +
    `Product version:   ${d.productVersion}\n` +
    `Security profiles: ${d.securityProfiles.length ? d.securityProfiles.join(', ') : '(none listed)'}\n`
  );
}
