/**
 * MIT keytab, FILE type: format 0x0502 read and written, 0x0501 read
 * [krb5 doc/formats/keytab_file_format.rst; kerberos-facts.md §11]. A malformed keytab is a
 * KeytabError; every length is checked against its record before anything is read or allocated.
 *
 * Names: KRB5_CLIENT_KTNAME (keys a client uses to get tickets) and KRB5_KTNAME (a service's keys),
 * `FILE:`/`WRFILE:` prefix or a plain path; defaults from krb5.conf, then MIT's built-in ones.
 */
import { KeytabError } from '../../errors.js';
import { BoundedReader, ByteWriter } from './binary-reader.js';
import { expandKrb5Path } from './krb5-conf.js';
import { samePrincipal } from './principal-name.js';
import { readCappedFile, writePrivateFile } from './private-file.js';
import type { KeytabEntry, Principal } from './types.js';

export const MAX_KEYTAB_BYTES = 4 * 1024 * 1024;
export const MAX_KEYTAB_ENTRIES = 10_000;
export const MAX_KEYTAB_COMPONENTS = 32;

/** MIT's compiled-in defaults on Debian (strings in libkrb5.so.3 of krb5 1.20.1). */
export const DEFAULT_KEYTAB_NAME = 'FILE:/etc/krb5.keytab';
export const DEFAULT_CLIENT_KEYTAB_NAME = 'FILE:/etc/krb5/user/%{euid}/client.keytab';

/**
 * Entries use the shared KeytabEntry: kvno is the 32-bit field when present and non-zero, else the
 * 8-bit one; timestamp is when the key was written (whole seconds).
 */
export interface Keytab {
  readonly version: 1 | 2;
  readonly entries: readonly KeytabEntry[];
}

/** Decodes keytab bytes; `name` is used in errors only. */
export function decodeKeytab(buf: Buffer, name = 'keytab'): Keytab {
  const fail = (msg: string) => new KeytabError(name, `Keytab ${name} is malformed: ${msg}; export it again (kadmin ktadd, ktpass).`);
  if (buf.length > MAX_KEYTAB_BYTES) throw fail(`${buf.length} bytes exceeds the ${MAX_KEYTAB_BYTES}-byte limit`);
  const r = new BoundedReader(buf, fail);
  const magic = r.u8('format version');
  const v = r.u8('format version');
  if (magic !== 5 || (v !== 1 && v !== 2)) {
    throw new KeytabError(name, `Keytab ${name} is not an MIT keytab (format 0x${((magic << 8) | v).toString(16).padStart(4, '0')}, expected 0x0502 or 0x0501).`);
  }
  const version = v as 1 | 2;
  // Version 1 uses the writer's native byte order [keytab_file_format.rst]; we read it as little endian (x86, ARM).
  const le = version === 1;
  const entries: KeytabEntry[] = [];
  while (r.remaining > 0) {
    const size = r.i32('record length', le);
    if (size === 0) break;
    if (size < 0) {
      // A hole left by a deleted entry: -size zero bytes to skip.
      r.need(-size, 'deleted-entry hole');
      r.pos += -size;
      continue;
    }
    r.need(size, 'keytab entry');
    if (entries.length >= MAX_KEYTAB_ENTRIES) throw fail(`more than ${MAX_KEYTAB_ENTRIES} entries`);
    const e = new BoundedReader(buf, fail, r.pos + size, r.pos);
    entries.push(readEntry(e, version, le));
    r.pos += size;
  }
  return { version, entries };
}

function readEntry(e: BoundedReader, version: 1 | 2, le: boolean): KeytabEntry {
  let count = e.u16('component count', le);
  if (version === 1) {
    // Version 1 counts the realm as a component.
    if (count === 0) throw e.fail(`principal with no realm at offset ${e.pos - 2}`);
    count -= 1;
  }
  if (count > MAX_KEYTAB_COMPONENTS) throw e.fail(`principal with ${count} components (limit ${MAX_KEYTAB_COMPONENTS}) at offset ${e.pos - 2}`);
  const data = (what: string) => e.bytes(e.u16(`${what} length`, le), what).toString('utf8');
  const realm = data('realm');
  const components: string[] = [];
  for (let i = 0; i < count; i++) components.push(data('principal component'));
  const nameType = version === 2 ? e.u32('name type', le) : 0;
  const timestamp = e.u32('timestamp', le);
  let kvno = e.u8('kvno');
  const etype = e.u16('enctype', le);
  const keyLen = e.u16('key length', le);
  const value = e.bytes(keyLen, 'key');
  // krb5 1.14+ appends a 32-bit kvno; it wins when present and non-zero.
  if (e.remaining >= 4) {
    const kvno32 = e.u32('32-bit kvno', le);
    if (kvno32 !== 0) kvno = kvno32;
  }
  return { principal: { nameType, components, realm }, timestamp: new Date(timestamp * 1000), kvno, key: { etype, value } };
}

/** Encodes format 0x0502 with the 32-bit kvno, as krb5 1.14+ writes it. */
export function encodeKeytab(entries: readonly KeytabEntry[]): Buffer {
  const w = new ByteWriter().u8(5).u8(2);
  for (const entry of entries) {
    const e = new ByteWriter();
    const { principal: p } = entry;
    const data = (s: string) => {
      const b = Buffer.from(s, 'utf8');
      e.u16(b.length).bytes(b);
    };
    e.u16(p.components.length);
    data(p.realm);
    for (const c of p.components) data(c);
    e.u32(p.nameType).u32(Math.floor((entry.timestamp?.getTime() ?? Date.now()) / 1000)).u8(entry.kvno & 0xff).u16(entry.key.etype).u16(entry.key.value.length).bytes(entry.key.value).u32(entry.kvno);
    const body = e.toBuffer();
    w.i32(body.length).bytes(body);
  }
  return w.toBuffer();
}

/** Reads and decodes a FILE keytab. */
export function readKeytabFile(path: string): Keytab {
  const bytes = readCappedFile(path, MAX_KEYTAB_BYTES, (msg, cause) => new KeytabError(path, `Keytab ${path} ${msg}.`, { cause }));
  return decodeKeytab(bytes, path);
}

/** Writes a 0x0502 keytab, mode 0600, replacing `path` atomically. */
export function writeKeytabFile(path: string, entries: readonly KeytabEntry[]): void {
  try {
    writePrivateFile(path, encodeKeytab(entries));
  } catch (err) {
    throw new KeytabError(path, `Cannot write keytab ${path} (${(err as Error).message}).`, { cause: err });
  }
}

/**
 * Keys for `principal` (name types ignored). Without `kvno`, only the highest kvno present is
 * returned; with `etypes`, only those enctypes, in that preference order.
 */
export function findKeys(keytab: Keytab, principal: Principal, options: { kvno?: number; etypes?: readonly number[] } = {}): KeytabEntry[] {
  let hits = keytab.entries.filter((e) => samePrincipal(e.principal, principal));
  const kvno = options.kvno ?? Math.max(-1, ...hits.map((e) => e.kvno));
  hits = hits.filter((e) => e.kvno === kvno);
  if (options.etypes) {
    const order = options.etypes;
    hits = hits.filter((e) => order.includes(e.key.etype)).sort((a, b) => order.indexOf(a.key.etype) - order.indexOf(b.key.etype));
  }
  return hits;
}

/** A parsed keytab name. */
export interface KeytabLocation {
  readonly path: string;
  readonly name: string;
}

/** `FILE:<path>`, `WRFILE:<path>` or a plain path; other types are refused. */
export function parseKeytabName(name: string, euid: number): KeytabLocation {
  const expanded = expandKrb5Path(name, { uid: euid, euid });
  const m = /^([A-Za-z]+):(.*)$/.exec(expanded);
  if (!m) return { path: expanded, name: expanded };
  const type = m[1]!.toUpperCase();
  if (type === 'FILE' || type === 'WRFILE') return { path: m[2]!, name: expanded };
  throw new KeytabError(expanded, `Keytab ${expanded}: ${m[1]}: keytabs are not supported; use FILE:<path>.`);
}

function currentEuid(): number {
  return typeof process.geteuid === 'function' ? process.geteuid() : 0;
}

/** The client keytab: KRB5_CLIENT_KTNAME, else krb5.conf default_client_keytab_name, else MIT's default. */
export function resolveClientKeytabName(env: NodeJS.ProcessEnv = process.env, configured?: string, euid = currentEuid()): KeytabLocation {
  return parseKeytabName(env.KRB5_CLIENT_KTNAME || configured || DEFAULT_CLIENT_KEYTAB_NAME, euid);
}

/** A service's keytab: KRB5_KTNAME, else krb5.conf default_keytab_name, else /etc/krb5.keytab. */
export function resolveKeytabName(env: NodeJS.ProcessEnv = process.env, configured?: string, euid = currentEuid()): KeytabLocation {
  return parseKeytabName(env.KRB5_KTNAME || configured || DEFAULT_KEYTAB_NAME, euid);
}
