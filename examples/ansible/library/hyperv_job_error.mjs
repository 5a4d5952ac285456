#!/usr/bin/env node
// WANT_JSON
/**
 * Ansible module hyperv_job_error: why did a Hyper-V job fail? Calls GetError (or GetErrorEx with
 * all_errors) on a Msvm_ConcreteJob / Msvm_MigrationJob by InstanceID over WS-Management and returns
 * the decoded Msvm_Error as `job_error`, the same object `hyperv-wsman job-error --json` prints.
 * Documentation: hyperv_job_error.yml beside this file (ansible-doc reads it) and docs/ansible.md.
 *
 * Runs on the controller (delegate_to: localhost): WANT_JSON makes Ansible pass the path of a JSON
 * arguments file as the only argument and read one JSON object from stdout.
 *
 * Self-contained on purpose: Ansible copies this single file to a temporary directory before running
 * it, so it cannot import its neighbours; the hyperv-wsman library is found at run time (loadLibrary).
 * The block between the "shared runtime" markers is identical in hyperv_job_wait.mjs; a test keeps it so.
 */

const MODULE = 'hyperv_job_error';

// ----- shared runtime: begin (keep identical in every module of this library) -----
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Where the compiled library sits inside the package (package.json "main"). */
const LIBRARY_ENTRY = 'dist/src/index.js';
const LIBRARY_ENV = 'HYPERV_WSMAN_LIB';
/** What Ansible shows instead of a no_log value (AnsibleModule uses the same strings). */
const NO_LOG_PLACEHOLDER = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER';
const MASK = '********';

/** A failure to report as {failed: true, msg}; extra fields go into the result as they are. */
class ModuleFailure extends Error {
  constructor(msg, extra = {}) {
    super(msg);
    this.extra = extra;
  }
}

/** Ansible's boolean spellings (module_utils/parsing/convert_bool.py). */
const BOOLEANS = new Map([
  ...['y', 'yes', 'on', '1', 'true', 't'].map((s) => [s, true]),
  ...['n', 'no', 'off', '0', 'false', 'f'].map((s) => [s, false]),
]);

/** Type name -> converter; each returns the converted value or throws a TypeError with the reason. */
const TYPES = {
  str(v) {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new TypeError(`${Array.isArray(v) ? 'list' : 'dict'} cannot be converted to a string`);
  },
  int(v) {
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)) return Number.parseInt(v, 10);
    throw new TypeError(`${JSON.stringify(v)} cannot be converted to an int`);
  },
  bool(v) {
    if (typeof v === 'boolean') return v;
    const b = BOOLEANS.get(String(v).trim().toLowerCase());
    if (b === undefined) throw new TypeError(`${JSON.stringify(v)} is not a valid boolean. Valid booleans include: yes, no, true, false, on, off, 1, 0`);
    return b;
  },
  path(v) {
    const s = TYPES.str(v);
    return s === '~' || s.startsWith('~/') ? join(homedir(), s.slice(1)) : s;
  },
};

/** The connection parameters every module takes, named as Ansible's winrm connection options are. */
const CONNECTION_SPEC = {
  host: { type: 'str', required: true },
  port: { type: 'int' },
  scheme: { type: 'str', choices: ['http', 'https'] },
  path: { type: 'str', default: '/wsman' },
  transport: { type: 'str', choices: ['ntlm', 'basic'], default: 'ntlm' },
  user: { type: 'str', required: true },
  password: { type: 'str', required: true, no_log: true },
  message_encryption: { type: 'str', choices: ['auto', 'always', 'never'], default: 'auto' },
  server_cert_validation: { type: 'str', choices: ['validate', 'ignore'], default: 'validate' },
  ca_trust_path: { type: 'path' },
  operation_timeout: { type: 'int' },
};

/** Checks the arguments as Ansible's argument spec would: unknown keys, required, types, choices. */
function validateArgs(raw, spec) {
  if (!isObject(raw)) throw new ModuleFailure('The module arguments must be a JSON object.');
  const unknown = Object.keys(raw).filter((k) => !k.startsWith('_ansible_') && !(k in spec));
  if (unknown.length > 0) {
    throw new ModuleFailure(`Unsupported parameters for (${MODULE}) module: ${unknown.sort().join(', ')}. Supported parameters include: ${Object.keys(spec).sort().join(', ')}.`);
  }
  const given = (k) => raw[k] !== undefined && raw[k] !== null;
  const missing = Object.keys(spec).filter((k) => spec[k].required && !given(k));
  if (missing.length > 0) throw new ModuleFailure(`missing required arguments: ${missing.join(', ')}`);
  const params = {};
  for (const [name, rule] of Object.entries(spec)) {
    if (!given(name)) {
      params[name] = rule.default ?? null;
      continue;
    }
    try {
      params[name] = TYPES[rule.type](raw[name]);
    } catch (err) {
      // Never echo a secret's value, even when it is malformed.
      const shown = rule.no_log ? '' : `: ${err.message}`;
      throw new ModuleFailure(`argument '${name}' is of type ${Array.isArray(raw[name]) ? 'list' : typeof raw[name]} and we were unable to convert to ${rule.type}${shown}`);
    }
    if (rule.choices && !rule.choices.includes(params[name])) {
      throw new ModuleFailure(`value of ${name} must be one of: ${rule.choices.join(', ')}, got: ${params[name]}`);
    }
  }
  return params;
}

function readArgs() {
  const file = process.argv[2];
  if (!file) throw new ModuleFailure(`${MODULE} is an Ansible module: it expects the path of a JSON arguments file (WANT_JSON).`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ModuleFailure(`Cannot read the module arguments from ${file}: ${err.message}`);
  }
}

const isDirectory = (p) => statSync(p, { throwIfNoEntry: false })?.isDirectory() === true;
const entryOf = (p) => (isDirectory(p) ? join(p, LIBRARY_ENTRY) : p);
const notFound = (err) => err?.code === 'ERR_MODULE_NOT_FOUND' || err?.code === 'ERR_UNSUPPORTED_DIR_IMPORT';

/**
 * The hyperv-wsman library: $HYPERV_WSMAN_LIB (its dist/src/index.js, or the package directory) when
 * set, else the package as Node resolves it from here, from $NODE_PATH, or from the global npm prefix.
 * This file runs from Ansible's temporary directory, so a relative import could not work.
 */
async function loadLibrary() {
  const configured = process.env[LIBRARY_ENV];
  if (configured) {
    const file = entryOf(isAbsolute(configured) ? configured : resolve(configured));
    try {
      return checkLibrary(await import(pathToFileURL(file).href), `${LIBRARY_ENV}=${configured}`);
    } catch (err) {
      if (err instanceof ModuleFailure) throw err;
      throw new ModuleFailure(`${LIBRARY_ENV}=${configured} could not be loaded (${err.message}). Point it at hyperv-wsman's ${LIBRARY_ENTRY}, built by npm install.`);
    }
  }
  const globalPrefix = join(dirname(dirname(process.execPath)), 'lib', 'node_modules');
  const dirs = [...(process.env.NODE_PATH ?? '').split(':').filter(Boolean), globalPrefix].map((d) => join(d, 'hyperv-wsman', LIBRARY_ENTRY));
  for (const candidate of ['hyperv-wsman', ...dirs.map((f) => pathToFileURL(f).href)]) {
    try {
      return checkLibrary(await import(candidate), candidate);
    } catch (err) {
      if (!notFound(err)) throw err;
    }
  }
  throw new ModuleFailure(`Cannot find the hyperv-wsman library. Set ${LIBRARY_ENV} (with environment: on the task or play) to the path of its ${LIBRARY_ENTRY}, or install it where Node finds it (npm install -g hyperv-wsman).`);
}

function checkLibrary(lib, where) {
  for (const name of ['WsmanClient', 'HypervJobs', 'HypervWsmanError', 'JobFailedError', 'JobTimeoutError', 'jobRefFor', 'getErrorToJson', 'getErrorExToJson', 'jobToJson', 'outcomeToJson', 'jobOutcome']) {
    if (typeof lib[name] !== 'function') throw new ModuleFailure(`${where} is not a compatible hyperv-wsman library: it has no ${name}.`);
  }
  return lib;
}

/** Module parameters -> the library's ConnectionOptions (unset ones left to the library's defaults). */
function connectionOptions(p) {
  const options = {
    host: p.host,
    user: p.user,
    password: p.password,
    path: p.path,
    transport: p.transport,
    messageEncryption: p.message_encryption,
    serverCertValidation: p.server_cert_validation,
    port: p.port,
    scheme: p.scheme,
    caTrustPath: p.ca_trust_path,
    operationTimeoutSec: p.operation_timeout,
  };
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== null && v !== undefined));
}

/** Every string in `value` with each secret replaced by ********, keys included (AnsibleModule's remove_values). */
function mask(value, secrets) {
  if (secrets.length === 0) return value;
  if (typeof value === 'string') return secrets.reduce((s, secret) => s.split(secret).join(MASK), value);
  if (Array.isArray(value)) return value.map((v) => mask(v, secrets));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [mask(k, secrets), mask(v, secrets)]));
  return value;
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Values of no_log parameters, as given (a number-typed secret is still a secret). */
function secretsOf(raw, spec) {
  if (!isObject(raw)) return [];
  return Object.keys(spec).filter((k) => spec[k].no_log && raw[k] !== undefined && raw[k] !== null && String(raw[k]) !== '').map((k) => String(raw[k]));
}

function isNoLog(raw) {
  return isObject(raw) && BOOLEANS.get(String(raw._ansible_no_log).toLowerCase()) === true;
}

function invocation(raw, spec) {
  if (!isObject(raw)) return { module_args: {} };
  const args = {};
  for (const [k, v] of Object.entries(raw)) if (!k.startsWith('_ansible_')) args[k] = spec[k]?.no_log ? NO_LOG_PLACEHOLDER : v;
  return { module_args: args };
}

function failureOf(err, lib) {
  if (err instanceof ModuleFailure) return { failed: true, msg: err.message, ...err.extra };
  if (lib && err instanceof lib.HypervWsmanError) return { failed: true, msg: err.message, error_code: err.code };
  return { failed: true, msg: `Unexpected error: ${err?.message ?? String(err)}`, exception: err?.stack ?? String(err) };
}

/** One JSON object on stdout, secrets masked; exit status 1 when failed (Ansible reads both). */
function emit(result, secrets) {
  const text = JSON.stringify(mask(result, secrets), (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  process.stdout.write(text + '\n', () => process.exit(result.failed ? 1 : 0));
}

/**
 * Validate, connect, run `body(lib, client, params)` (which returns the module-specific result or
 * throws), and emit. `_ansible_no_log` drops the invocation echo: Ansible hides the rest itself.
 */
async function runModule(spec, body) {
  let raw = {};
  let secrets = [];
  let lib;
  let result;
  try {
    raw = readArgs();
    // Known before validation, so a secret is masked even in a complaint about other arguments.
    secrets = secretsOf(raw, spec);
    const params = validateArgs(raw, spec);
    lib = await loadLibrary();
    const client = new lib.WsmanClient(connectionOptions(params));
    try {
      result = { changed: false, ...(await body(lib, client, params)) };
    } finally {
      await client.close().catch(() => undefined);
    }
  } catch (err) {
    result = { changed: false, ...failureOf(err, lib) };
  }
  emit(isNoLog(raw) ? result : { ...result, invocation: invocation(raw, spec) }, secrets);
}
/** WMI class names are identifiers; anything else would end up inside the resource URI. */
function jobClassOf(p) {
  if (p.job_class === null) return undefined;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(p.job_class)) throw new ModuleFailure(`job_class must be a WMI class name such as Msvm_ConcreteJob or Msvm_MigrationJob, got: ${p.job_class}`);
  return p.job_class;
}
// ----- shared runtime: end -----

const SPEC = {
  ...CONNECTION_SPEC,
  job_id: { type: 'str', required: true },
  job_class: { type: 'str' },
  all_errors: { type: 'bool', default: false },
};

async function jobError(lib, client, p) {
  const jobs = new lib.HypervJobs(client);
  const jobClass = jobClassOf(p);
  const r = p.all_errors ? await jobs.getErrorEx(p.job_id, jobClass) : await jobs.getError(p.job_id, jobClass);
  const job_error = p.all_errors ? lib.getErrorExToJson(r) : lib.getErrorToJson(r);
  const method = p.all_errors ? 'GetErrorEx' : 'GetError';
  const job = `Job ${r.instanceId} (${r.jobClass})`;
  // The library's outcome says whether the job failed and why, even when the host kept no Msvm_Error.
  const outcome = lib.outcomeToJson(r.outcome);
  // A non-zero ReturnValue is the method's own failure (e.g. 32769 Access Denied): the error could not be read.
  if (r.returnValue !== 0) throw new ModuleFailure(`${method} on ${job} returned ${r.returnValue} (${r.returnValueName}): the job's error could not be read. ${r.outcome.summary}`, { job_error, outcome });
  return { msg: r.outcome.summary, job_error, outcome };
}

await runModule(SPEC, jobError);
