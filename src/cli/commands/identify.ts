/** `hyperv-wsman identify`: what WS-Man service answers, and which auth profiles it offers. */
import type { IdentifyResult } from '../../wsman/responses.js';
import { defineCommand } from '../command.js';
import { withConnectionOptions, type ConnectionArgs } from '../connection.js';
import { writeJson } from '../output.js';
import { withClient } from '../run.js';

export interface IdentifyJson extends IdentifyResult {
  readonly endpoint: string;
}

export const identifyCommand = defineCommand<ConnectionArgs>({
  command: 'identify',
  describe: 'Ask the WS-Man service who it is (wsmid:Identify): protocol, vendor, version, security profiles',
  builder: (y) =>
    withConnectionOptions(y).example(
      "HYPERV_WSMAN_PASSWORD=... $0 identify --host hv01 --user 'LAB\\admin' --json",
      'Check that the host answers and the credentials work',
    ),
  run: (args, io) =>
    withClient(args, io, async (client) => {
      const r = await client.identify();
      const doc: IdentifyJson = { endpoint: client.endpoint, ...r };
      if (args.json) writeJson(io, doc);
      else io.stdout.write(renderIdentify(doc));
      return 0;
    }),
});

export function renderIdentify(d: IdentifyJson): string {
  return (
    `Endpoint:          ${d.endpoint}\n` +
    `Protocol version:  ${d.protocolVersion}\n` +
    `Product vendor:    ${d.productVendor}\n` +
    `Product version:   ${d.productVersion}\n` +
    `Security profiles: ${d.securityProfiles.length ? d.securityProfiles.join(', ') : '(none listed)'}\n`
  );
}
