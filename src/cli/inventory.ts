/**
 * Host lists for `jobs --inventory FILE`: one host per line, in any form --host takes (name,
 * address, URL such as https://hv01:5986/wsman); `#` starts a comment; blank lines are skipped.
 * Deliberately not Ansible's INI/YAML inventory (groups, variables, ranges): a list is what the
 * command needs, and `ansible-inventory --list` can produce one (docs/cli/jobs.md).
 */
import { InvalidOptionError } from '../errors.js';
import { readSmallTextFile } from './file-safety.js';

/** Bounds for an inventory file: a fleet list, not a data set. */
export const MAX_INVENTORY_BYTES = 4 * 1024 * 1024;
export const MAX_FLEET_HOSTS = 100_000;
const MAX_HOST_LENGTH = 2048;

/** The hosts of an inventory text, in file order. `source` names it in errors (`--inventory hosts.txt`). */
export function parseInventory(text: string, source: string): string[] {
  const hosts: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/#.*$/, '').trim();
    if (line === '') continue;
    if (/\s/.test(line)) throw new InvalidOptionError(`${source} line ${i + 1}: "${clip(line)}" is not one host; give one host name, address or URL per line (# starts a comment).`);
    if (line.length > MAX_HOST_LENGTH) throw new InvalidOptionError(`${source} line ${i + 1}: a host of ${line.length} characters; is this the right file?`);
    if (hosts.length === MAX_FLEET_HOSTS) throw new InvalidOptionError(`${source}: more than ${MAX_FLEET_HOSTS} hosts; split the fleet.`);
    hosts.push(line);
  }
  return hosts;
}

export function readInventory(path: string): string[] {
  let text: string;
  try {
    text = readSmallTextFile(path, MAX_INVENTORY_BYTES, '--inventory');
  } catch (err) {
    if (err instanceof InvalidOptionError) throw err;
    throw new InvalidOptionError(`Cannot read --inventory ${path}: ${(err as Error).message}`);
  }
  const hosts = parseInventory(text, `--inventory ${path}`);
  if (hosts.length === 0) throw new InvalidOptionError(`--inventory ${path} names no host (one host per line; # starts a comment).`);
  return hosts;
}

/**
 * --host values then inventory hosts, each once (first occurrence kept). The same host twice would
 * list its jobs twice; `duplicates` reports which were dropped so the CLI can say so.
 */
export function fleetHosts(flagHosts: readonly string[], inventory: readonly string[]): { hosts: string[]; duplicates: string[] } {
  const seen = new Set<string>();
  const hosts: string[] = [];
  const duplicates: string[] = [];
  for (const h of [...flagHosts, ...inventory]) {
    const key = h.toLowerCase();
    if (seen.has(key)) duplicates.push(h);
    else {
      seen.add(key);
      hosts.push(h);
    }
  }
  return { hosts, duplicates };
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 80)}...` : s;
}

export interface MergedHost {
  /** The host as given, left out. */
  readonly host: string;
  /** The host kept, given first. */
  readonly sameAs: string;
  /** The endpoint both reach. */
  readonly endpoint: string;
}

/**
 * Hosts written differently that reach the same endpoint (`hv01`, `hv01/wsman`,
 * `https://HV01:5986/wsman`) are one host: the first is kept with its item, the others are reported.
 * `endpointOf(i)` is the normalised endpoint of hosts[i] (connection.ts endpointKey).
 */
export function mergeSameEndpoints<T>(hosts: readonly string[], items: readonly T[], endpointOf: (item: T) => string): { hosts: string[]; items: T[]; merged: MergedHost[] } {
  const first = new Map<string, string>();
  const out = { hosts: [] as string[], items: [] as T[], merged: [] as MergedHost[] };
  hosts.forEach((host, i) => {
    const endpoint = endpointOf(items[i]!);
    const sameAs = first.get(endpoint);
    if (sameAs !== undefined) {
      out.merged.push({ host, sameAs, endpoint });
      return;
    }
    first.set(endpoint, host);
    out.hosts.push(host);
    out.items.push(items[i]!);
  });
  return out;
}
