/**
 * Example: call any WMI method of root/virtualization/v2 and print what it returned: ReturnValue with
 * its Hyper-V name, each out-parameter (references as class + keys, embedded instances decoded), and
 * the job it started when ReturnValue is 4096.
 *
 *   HYPERV_WSMAN_HOST=hv01 HYPERV_WSMAN_USER='LAB\admin' HYPERV_WSMAN_PASSWORD=... \
 *     node --import tsx examples/invoke-method.ts <Class> <Method> [--selector Key=Value]... [--param Name=Value]...
 *
 *   e.g. invoke-method.ts Msvm_ConcreteJob RequestStateChange --selector InstanceID=<job id> --param RequestedState=4
 *
 * Parameters travel as text (WMI converts them to the method's types). References and embedded
 * instances need code: see wait-for-migration.ts.
 */
import { parseArgs } from 'node:util';
import {
  HYPERV_NAMESPACE,
  InvalidOptionError,
  NS,
  WsmanClient,
  cimValueToJson,
  decodeEmbeddedInstanceParam,
  decodeEpr,
  jobRefFromOutput,
  returnValueNameOf,
  wmiResourceUri,
  type XmlElement,
} from '../src/index.js';
import { connectionFromEnv } from './lib/connection-from-env.js';
import { runExample } from './lib/run-example.js';

function keyValues(pairs: readonly string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new InvalidOptionError(`--${what} expects Name=Value; got "${pair}".`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

const childElements = (el: XmlElement): XmlElement[] => el.children.filter((c): c is XmlElement => c.kind === 'element');
const text = (el: XmlElement): string => el.children.map((c) => (c.kind === 'text' ? c.value : '')).join('');

/** One out-parameter as a line of text: nil, an endpoint reference, an embedded instance, or plain text. */
function describe(el: XmlElement): string {
  if (el.attrs.some((a) => a.ns === NS.xsi && a.local === 'nil' && a.value === 'true')) return 'null';
  if (childElements(el).some((c) => c.ns === NS.wsa)) {
    const ref = decodeEpr(el);
    return `reference ${ref.className ?? ref.resourceUri} ${JSON.stringify(ref.selectors)}`;
  }
  const value = text(el);
  if (value.trimStart().startsWith('<INSTANCE')) return JSON.stringify(cimValueToJson(decodeEmbeddedInstanceParam(el)), null, 2);
  return value;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { selector: { type: 'string', multiple: true, default: [] }, param: { type: 'string', multiple: true, default: [] } },
  });
  const [className, method] = positionals;
  if (!className || !method) throw new InvalidOptionError('Usage: invoke-method.ts <Class> <Method> [--selector Key=Value]... [--param Name=Value]...');

  const client = new WsmanClient(connectionFromEnv());
  try {
    const out = await client.invoke(wmiResourceUri(HYPERV_NAMESPACE, className), method, {
      selectors: keyValues(values.selector, 'selector'),
      params: keyValues(values.param, 'param'),
    });
    const rv = out.returnValue;
    console.log(`${className}.${method}: ReturnValue ${rv === null ? '(none)' : `${rv} (${returnValueNameOf(className, method, rv)})`}`);
    for (const el of childElements(out.output)) {
      if (el.local !== 'ReturnValue') console.log(`${el.local}: ${describe(el)}`);
    }
    const job = jobRefFromOutput(out);
    if (job) console.log(`Started job: ${job.className} ${job.selectors.InstanceID ?? ''} (wait for it with HypervJobs.waitForJob)`);
    // 0 and 4096 (job started) are success; anything else is the method's own failure code.
    return rv === 0 || rv === 4096 || rv === null ? 0 : 1;
  } finally {
    await client.close();
  }
}

runExample(main);
