/**
 * `hyperv-wsman invoke <class> <method> --selector K=V --param K=V`: call a method, print its typed
 * out-parameters (embedded CIM-XML instances decoded), and when it started a job (ReturnValue 4096)
 * show the job and either hint at job-wait or, with --wait, follow it.
 */
import type { Argv } from 'yargs';
import { decodeEmbeddedInstanceParam, decodeWsCimInstance } from '../../cim/ws-cim.js';
import { ErrorCodes, HypervWsmanError, InvalidOptionError } from '../../errors.js';
import { HypervJobs, JOB_CLASSES, JOB_STARTED, jobRefFromOutput, type JobRef } from '../../hyperv/jobs.js';
import { hypervReturnValueName } from '../../hyperv/method-return-codes.js';
import type { CimInstance, CimScalar, CimValue, JsonValue } from '../../cim/types.js';
import { outParams, type InvokeOutput } from '../../wsman/responses.js';
import type { InvokeParams } from '../../wsman/invoke-params.js';
import type { Selectors } from '../../wsman/requests.js';
import { defineCommand } from '../command.js';
import { withConnectionOptions, type ConnectionArgs } from '../connection.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { waitAndReport, waitTiming, withWaitOptions, type WaitCliArgs } from '../job-waiter.js';
import { parseParams, parseSelectors } from '../key-value.js';
import { writeJson } from '../output.js';
import { formatInstance, formatValue, valueToJson } from '../render.js';
import { withPreparedClient } from '../run.js';
import { resolveTarget, settleTarget, withKeys, withSelectorOption, withTargetOptions, type Target, type TargetArgs, withConfiguredDialect, wrongDialectHint } from '../target.js';

export interface InvokeCliArgs extends ConnectionArgs, TargetArgs, WaitCliArgs {
  class?: string;
  method?: string;
  selector?: string[];
  param?: string[];
  wait?: boolean;
}

/** The stderr code for a method that answered with an error ReturnValue (not a library error code). */
export const METHOD_FAILED_CODE = ErrorCodes.METHOD_FAILED;

export interface JobRefJson {
  readonly jobClass: string;
  readonly resourceUri: string;
  readonly selectors: Readonly<Record<string, string>>;
}

export interface InvokeJson {
  readonly type: 'invoke';
  readonly className: string | null;
  readonly method: string;
  readonly resourceUri: string;
  readonly returnValue: number | null;
  /** Name of the ReturnValue from the method's Hyper-V v2 page ("method-specific code" without one); null outside root/virtualization/v2. */
  readonly returnValueName: string | null;
  /** Out-parameters other than ReturnValue, typed; embedded instances as { className, properties, valueMapNames }. */
  readonly outParams: Record<string, JsonValue>;
  /** The job a 4096 answer started, else null. */
  readonly job: JobRefJson | null;
}

interface Call {
  readonly target: Target;
  readonly method: string;
  readonly selectors: Selectors;
  readonly params: InvokeParams;
}

const METHOD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function prepare(args: InvokeCliArgs): Call {
  // With --resource-uri the only positional is the method, which yargs puts in `class`.
  const byUri = args['resource-uri'] !== undefined;
  if (byUri && args.method !== undefined) throw new InvalidOptionError('With --resource-uri give only the method name: invoke --resource-uri URI <method>.');
  const className = byUri ? undefined : args.class;
  const method = byUri ? args.class : args.method;
  if (method === undefined) throw new InvalidOptionError(byUri ? 'Name the method: invoke --resource-uri URI <method>.' : 'Name the class and the method: invoke <class> <method>.');
  if (!METHOD_NAME.test(method)) throw new InvalidOptionError(`"${method}" is not a method name.`);
  if (args.wait) waitTiming(args);
  const target = resolveTarget(className, args);
  return { target, method, selectors: parseSelectors(args.selector), params: parseParams(args.param, target.namespace) };
}

function looksLikeCimXml(text: string): boolean {
  return /^\s*(<\?xml[^>]*>\s*)?<INSTANCE[\s>]/i.test(text);
}

/** Out-parameters typed: EPRs as references, datetimes, nil; CIM-XML text decoded as an embedded instance. */
export function decodeOutParams(out: InvokeOutput): Record<string, CimValue> {
  // A numeric ReturnValue is reported on its own; any other (OMI methods may return an embedded instance) stays an out-parameter.
  const inst = decodeWsCimInstance(out.output, out.returnValue !== null ? { ReturnValue: { type: 'uint32' } } : undefined);
  const result: Record<string, CimValue> = {};
  for (const [name, value] of Object.entries(inst.properties)) {
    if (name === 'ReturnValue' && out.returnValue !== null) continue;
    const texts = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
    let decoded: CimValue = value;
    if (texts.length > 0 && texts.every(looksLikeCimXml)) {
      try {
        const list = outParams(out.output, name).map((el) => decodeEmbeddedInstanceParam(el));
        decoded = Array.isArray(value) ? list : (list[0] ?? null);
      } catch (err) {
        // Text that only resembled CIM-XML stays text.
        if (!(err instanceof HypervWsmanError)) throw err;
      }
    }
    Object.defineProperty(result, name, { value: decoded, enumerable: true, writable: true, configurable: true });
  }
  return result;
}

function jobRefJson(ref: JobRef): JobRefJson {
  return { jobClass: ref.className, resourceUri: ref.resourceUri, selectors: ref.selectors };
}

function renderOutParams(params: Record<string, CimValue>): string {
  const entries = Object.entries(params);
  const width = Math.max(0, ...entries.map(([k]) => k.length)) + 1;
  const lines: string[] = [];
  for (const [k, v] of entries) {
    const nested = (Array.isArray(v) ? (v as readonly (CimScalar | null)[]) : [v]).filter((x): x is CimInstance => typeof x === 'object' && x !== null && (x as { kind?: string }).kind === 'instance');
    if (nested.length > 0) {
      lines.push(`  ${k}:`);
      for (const n of nested) lines.push(formatInstance(n, '    '));
    } else lines.push(`  ${(k + ':').padEnd(width)} ${formatValue(v)}`);
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

function jobWaitHint(ref: JobRef): string {
  const id = ref.selectors.InstanceID;
  if (id === undefined) return `The job is ${ref.resourceUri} ${JSON.stringify(ref.selectors)}.\n`;
  const cls = (JOB_CLASSES as readonly string[]).includes(ref.className) ? '' : ` --job-class ${ref.className}`;
  return `Job started: ${ref.className} ${id}\nFollow it: hyperv-wsman job-wait --job-id ${id}${cls} (with the same connection options), or add --wait.\n`;
}

function report(doc: InvokeJson, params: Record<string, CimValue>, args: InvokeCliArgs, io: CliIo): void {
  if (args.json) return writeJson(io, doc);
  const rv =
    doc.returnValue !== null ? `ReturnValue ${doc.returnValue}${doc.returnValueName ? ` (${doc.returnValueName})` : ''}` : Object.hasOwn(params, 'ReturnValue') ? 'ReturnValue below' : 'no ReturnValue';
  io.stdout.write(`${doc.className ?? doc.resourceUri}.${doc.method}: ${rv}\n${renderOutParams(params)}`);
}

export const invokeCommand = defineCommand<InvokeCliArgs>({
  command: 'invoke [class] [method]',
  describe: 'Invoke a method of a class or instance; with --wait, follow the job it starts',
  builder: (y) =>
    withWaitOptions(withSelectorOption(withTargetOptions(withConnectionOptions(y))))
      .usage('$0 invoke <class> <method> [--selector K=V]... [--param K=V]... [--wait]\n$0 invoke --resource-uri URI <method> ...\n\nInvoke a method of a class or instance; with --wait, follow the job it starts.')
      .positional('class', { type: 'string', describe: 'WMI class name (or, with --resource-uri, the method)' })
      .positional('method', { type: 'string', describe: 'Method name, e.g. RequestStateChange' })
      .option('param', {
        type: 'string',
        array: true,
        requiresArg: true,
        describe: 'In-parameter, in MOF order (repeat; same name twice = array): Name=text | Name:file=PATH | Name:instance=CIM-XML-FILE | Name:ref=Class?Key=Value&... | Name:null',
      })
      .option('wait', { type: 'boolean', describe: 'When the method starts a job (ReturnValue 4096), wait for it like job-wait' })
      .example(
        "$0 invoke Msvm_ComputerSystem RequestStateChange --selector CreationClassName=Msvm_ComputerSystem --selector Name=B6E2... --param RequestedState=2 --wait --host hv01 --user 'LAB\\admin'",
        'Start a VM and wait for the job',
      )
      .example('$0 invoke Msvm_ConcreteJob GetError --selector InstanceID=5E2C... --json --host hv01 --user op', 'Raw GetError, the embedded Msvm_Error decoded') as Argv<InvokeCliArgs>,
  run: (args, io) =>
    withPreparedClient(
      args,
      io,
      () => prepare(withConfiguredDialect(args, io)),
      async (client, prepared) => {
        const call: Call = { ...prepared, target: await settleTarget(client, prepared.target) };
        const out = await client.invoke(call.target.resourceUri, call.method, { selectors: withKeys(call.target, call.selectors), params: call.params, dialect: call.target.dialect });
        // A job's own RequestStateChange also answers 4096 ("Transition Started"), without a Job out-parameter.
        const job = jobRefFromOutput(out);
        const params = decodeOutParams(out);
        const outJson: Record<string, JsonValue> = {};
        for (const [k, v] of Object.entries(params)) outJson[k] = valueToJson(v);
        const doc: InvokeJson = {
          type: 'invoke',
          className: call.target.className ?? null,
          method: call.method,
          resourceUri: call.target.resourceUri,
          returnValue: out.returnValue,
          returnValueName: hypervReturnValueName(call.target.resourceUri, call.method, out.returnValue),
          outParams: outJson,
          job: job ? jobRefJson(job) : null,
        };
        report(doc, params, args, io);
        if (job) {
          if (args.wait) return waitAndReport(new HypervJobs(client, call.target.namespace), job, args, io);
          if (!args.json) io.stdout.write(jobWaitHint(job));
          return EXIT.OK;
        }
        // 0 = done, 4096 = started (with or without a Job to follow): neither is a failure.
        if (out.returnValue !== null && out.returnValue !== 0 && out.returnValue !== JOB_STARTED) {
          io.stderr.write(`hyperv-wsman: ${METHOD_FAILED_CODE}: ${call.method} returned ${out.returnValue}${doc.returnValueName ? ` (${doc.returnValueName})` : ''}.\n`);
          return EXIT.METHOD_FAILED;
        }
        return EXIT.OK;
      },
      wrongDialectHint(args, io),
    ),
});
