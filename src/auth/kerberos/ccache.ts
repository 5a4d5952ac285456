/**
 * MIT credential cache, FILE type, format versions 4 (written) and 3 (read)
 * [krb5 doc/formats/ccache_file_format.rst; kerberos-facts.md §10]. Tickets stay opaque DER.
 * A malformed cache is a CredentialCacheError; nothing is read past the end and every length is
 * checked against what is left before anything is allocated.
 *
 * KRB5CCNAME: `FILE:<path>` or a plain path; default from krb5.conf default_ccache_name, else
 * /tmp/krb5cc_<uid>. DIR:, KEYRING:, KCM:, API:, MEMORY: and MSLSA: are refused with advice.
 */
import { CredentialCacheError } from '../../errors.js';
import { BoundedReader, ByteWriter } from './binary-reader.js';
import { expandKrb5Path } from './krb5-conf.js';
import { samePrincipal } from './principal-name.js';
import { readCappedFile, writePrivateFile } from './private-file.js';
import type { EncryptionKey, KerberosCredential, Principal } from './types.js';

/** A cache with thousands of PAC-laden tickets stays far below this. */
export const MAX_CCACHE_BYTES = 16 * 1024 * 1024;
export const MAX_PRINCIPAL_COMPONENTS = 32;
export const MAX_CCACHE_CREDENTIALS = 10_000;
/** Addresses / authdata entries per credential. */
export const MAX_CCACHE_LIST = 1024;

/** Header tag 1: the KDC's clock minus ours [ccache_file_format.rst "Header format"]. */
export const CCACHE_TAG_KDC_OFFSET = 1;

export interface TaggedData {
  readonly type: number;
  readonly data: Buffer;
}

/** One credential; times are Unix seconds (unsigned 32-bit in the file), 0 = absent. */
export interface CcacheCredential {
  readonly client: Principal;
  readonly server: Principal;
  readonly key: EncryptionKey;
  readonly authtime: number;
  readonly starttime: number;
  readonly endtime: number;
  readonly renewTill: number;
  readonly isSkey: boolean;
  /** RFC 4120 TicketFlags as a 32-bit integer: flag n = 0x80000000 >>> n. */
  readonly ticketFlags: number;
  readonly addresses: readonly TaggedData[];
  readonly authdata: readonly TaggedData[];
  /** DER Ticket (`61 ...`); for a config entry, the value. */
  readonly ticket: Buffer;
  readonly secondTicket: Buffer;
}

export interface CredentialCache {
  readonly version: 3 | 4;
  /** Header tag 1, when present: seconds and microseconds to add to the local clock. */
  readonly kdcOffset?: { readonly seconds: number; readonly microseconds: number };
  readonly principal: Principal;
  readonly credentials: readonly CcacheCredential[];
}

/** TicketFlags bit numbers [RFC 4120 §5.3] as 32-bit masks. */
export const TicketFlag = {
  forwardable: 0x40000000,
  forwarded: 0x20000000,
  proxiable: 0x10000000,
  proxy: 0x08000000,
  mayPostdate: 0x04000000,
  postdated: 0x02000000,
  invalid: 0x01000000,
  renewable: 0x00800000,
  initial: 0x00400000,
  preAuthent: 0x00200000,
  hwAuthent: 0x00100000,
  transitedPolicyChecked: 0x00080000,
  okAsDelegate: 0x00040000,
  encPaRep: 0x00010000,
  anonymous: 0x00008000,
} as const;

/** Config entries (`X-CACHECONF:` realm) carry cache settings, not tickets. */
export const CCACHE_CONF_REALM = 'X-CACHECONF:';
export const CCACHE_CONF_PRINCIPAL = 'krb5_ccache_conf_data';

export function isConfigEntry(c: CcacheCredential): boolean {
  return c.server.realm === CCACHE_CONF_REALM && c.server.components[0] === CCACHE_CONF_PRINCIPAL;
}

/** Decodes a cache file's bytes; `name` is used in errors only. */
export function decodeCcache(buf: Buffer, name = 'credential cache'): CredentialCache {
  const fail = (msg: string) => new CredentialCacheError(name, `Credential cache ${name} is malformed: ${msg}; run kinit again to replace it.`);
  if (buf.length > MAX_CCACHE_BYTES) throw fail(`${buf.length} bytes exceeds the ${MAX_CCACHE_BYTES}-byte limit`);
  const r = new BoundedReader(buf, fail);
  const magic = r.u8('format version');
  const version = r.u8('format version');
  if (magic !== 5 || (version !== 3 && version !== 4)) {
    const v = `0x${((magic << 8) | version).toString(16).padStart(4, '0')}`;
    throw new CredentialCacheError(
      name,
      version === 1 || version === 2
        ? `Credential cache ${name} uses format ${v} (native byte order), which is not supported; run kinit again to write version 4.`
        : `Credential cache ${name} is not an MIT FILE cache (format ${v}, expected 0x0504 or 0x0503).`,
    );
  }
  let kdcOffset: CredentialCache['kdcOffset'];
  if (version === 4) {
    const headerLen = r.u16('header length');
    r.need(headerLen, 'header');
    const h = new BoundedReader(buf, fail, r.pos + headerLen, r.pos);
    while (h.remaining > 0) {
      const tag = h.u16('header tag');
      const len = h.u16('header field length');
      h.need(len, `header tag ${tag}`);
      if (tag === CCACHE_TAG_KDC_OFFSET && len === 8) {
        kdcOffset = { seconds: h.i32('KDC time offset'), microseconds: h.i32('KDC time offset') };
      } else {
        h.pos += len; // unknown tags are skipped [ccache_file_format.rst]
      }
    }
    r.pos += headerLen;
  }
  const principal = readPrincipal(r);
  const credentials: CcacheCredential[] = [];
  while (r.remaining > 0) {
    if (credentials.length >= MAX_CCACHE_CREDENTIALS) throw fail(`more than ${MAX_CCACHE_CREDENTIALS} credentials`);
    credentials.push(readCredential(r, version));
  }
  return { version, ...(kdcOffset ? { kdcOffset } : {}), principal, credentials };
}

function readData(r: BoundedReader, what: string): Buffer {
  const len = r.u32(`${what} length`);
  return r.bytes(len, what);
}

function readPrincipal(r: BoundedReader): Principal {
  const nameType = r.u32('principal name type');
  const count = r.u32('principal component count');
  if (count > MAX_PRINCIPAL_COMPONENTS) throw r.fail(`principal with ${count} components (limit ${MAX_PRINCIPAL_COMPONENTS}) at offset ${r.pos - 4}`);
  const realm = readData(r, 'realm').toString('utf8');
  const components: string[] = [];
  for (let i = 0; i < count; i++) components.push(readData(r, 'principal component').toString('utf8'));
  return { nameType, components, realm };
}

function readList(r: BoundedReader, what: string): TaggedData[] {
  const count = r.u32(`${what} count`);
  // Each entry takes at least 6 bytes, so a count the file cannot hold is refused before looping.
  if (count > MAX_CCACHE_LIST) throw r.fail(`${count} ${what} entries (limit ${MAX_CCACHE_LIST}) at offset ${r.pos - 4}`);
  r.need(count * 6, `${count} ${what} entries`);
  const out: TaggedData[] = [];
  for (let i = 0; i < count; i++) out.push({ type: r.u16(`${what} type`), data: readData(r, what) });
  return out;
}

function readCredential(r: BoundedReader, version: number): CcacheCredential {
  const client = readPrincipal(r);
  const server = readPrincipal(r);
  const etype = r.u16('key enctype');
  if (version === 3) r.u16('key enctype (repeated in version 3)');
  const key = { etype, value: readData(r, 'key') };
  const authtime = r.u32('authtime');
  const starttime = r.u32('starttime');
  const endtime = r.u32('endtime');
  const renewTill = r.u32('renew_till');
  const isSkey = r.u8('is_skey') !== 0;
  const ticketFlags = r.u32('ticket flags');
  const addresses = readList(r, 'address');
  const authdata = readList(r, 'authdata');
  const ticket = readData(r, 'ticket');
  const secondTicket = readData(r, 'second ticket');
  return { client, server, key, authtime, starttime, endtime, renewTill, isSkey, ticketFlags, addresses, authdata, ticket, secondTicket };
}

/** Encodes a cache in format version 4 with a KDC-offset header (zero when unknown), as kinit writes it. */
export function encodeCcache(cache: Omit<CredentialCache, 'version'>): Buffer {
  const w = new ByteWriter().u8(5).u8(4);
  const off = cache.kdcOffset ?? { seconds: 0, microseconds: 0 };
  w.u16(12).u16(CCACHE_TAG_KDC_OFFSET).u16(8).i32(off.seconds).i32(off.microseconds);
  writePrincipal(w, cache.principal);
  for (const c of cache.credentials) {
    writePrincipal(w, c.client);
    writePrincipal(w, c.server);
    w.u16(c.key.etype);
    writeData(w, c.key.value);
    w.u32(c.authtime).u32(c.starttime).u32(c.endtime).u32(c.renewTill).u8(c.isSkey ? 1 : 0).u32(c.ticketFlags);
    for (const list of [c.addresses, c.authdata]) {
      w.u32(list.length);
      for (const e of list) writeData(w.u16(e.type), e.data);
    }
    writeData(w, c.ticket);
    writeData(w, c.secondTicket);
  }
  return w.toBuffer();
}

function writeData(w: ByteWriter, b: Buffer | string): void {
  const bytes = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  w.u32(bytes.length).bytes(bytes);
}

function writePrincipal(w: ByteWriter, p: Principal): void {
  w.u32(p.nameType).u32(p.components.length);
  writeData(w, p.realm);
  for (const c of p.components) writeData(w, c);
}

/** A parsed KRB5CCNAME. */
export interface CcacheLocation {
  readonly type: 'FILE';
  readonly path: string;
  /** The name as given (for messages). */
  readonly name: string;
}

const UNSUPPORTED_CCACHE_TYPES = new Set(['DIR', 'KEYRING', 'KCM', 'API', 'MEMORY', 'MSLSA']);

function currentUid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : 0;
}

/**
 * The credential cache the environment names: KRB5CCNAME, else `defaultCcacheName` (krb5.conf
 * default_ccache_name), else FILE:/tmp/krb5cc_<uid>. Only FILE caches are supported.
 */
export function resolveCcacheName(env: NodeJS.ProcessEnv = process.env, defaultCcacheName?: string, uid = currentUid()): CcacheLocation {
  const raw = env.KRB5CCNAME !== undefined && env.KRB5CCNAME !== '' ? env.KRB5CCNAME : defaultCcacheName ?? `FILE:/tmp/krb5cc_${uid}`;
  const name = expandKrb5Path(raw, { uid, tmpdir: env.TMPDIR });
  const colon = /^([A-Za-z]+):(.*)$/.exec(name);
  if (colon) {
    const type = colon[1]!.toUpperCase();
    if (type === 'FILE') return { type: 'FILE', path: colon[2]!, name };
    if (UNSUPPORTED_CCACHE_TYPES.has(type)) {
      throw new CredentialCacheError(
        name,
        `Credential cache ${name}: ${type}: caches are not supported, only FILE:. Set KRB5CCNAME=FILE:/tmp/krb5cc_${uid} (and run kinit again), or set default_ccache_name = FILE:/tmp/krb5cc_%{uid} in krb5.conf.`,
      );
    }
    throw new CredentialCacheError(name, `Credential cache ${name}: unknown cache type "${colon[1]}:"; use FILE:<path>.`);
  }
  return { type: 'FILE', path: name, name };
}

/** Reads and decodes a FILE cache. */
export function readCcacheFile(path: string): CredentialCache {
  const bytes = readCappedFile(path, MAX_CCACHE_BYTES, (msg, cause) => new CredentialCacheError(path, `Credential cache ${path} ${msg}; run kinit first, or point KRB5CCNAME at your cache.`, { cause }));
  return decodeCcache(bytes, path);
}

/** Writes a cache (format 4) to `path` with mode 0600, replacing any previous file atomically. */
export function writeCcacheFile(path: string, cache: Omit<CredentialCache, 'version'>): void {
  try {
    writePrivateFile(path, encodeCcache(cache));
  } catch (err) {
    throw new CredentialCacheError(path, `Cannot write credential cache ${path} (${(err as Error).message}); set KRB5CCNAME to a writable FILE: path.`, { cause: err });
  }
}

/** A ticket is usable if not expired at `now` (Unix seconds), allowing for the cache's KDC offset. */
function usable(c: CcacheCredential, now: number): boolean {
  return !isConfigEntry(c) && c.endtime > now && c.ticket.length > 0;
}

/** The cache's TGT for `realm` (default: the client's realm) still valid at `now`. */
export function findTgt(cache: CredentialCache, realm = cache.principal.realm, now = Date.now() / 1000): CcacheCredential | undefined {
  const tgs: Principal = { nameType: 2, components: ['krbtgt', realm], realm };
  return findServiceTicket(cache, tgs, now);
}

/** The newest still-valid ticket for `server` issued to the cache's principal. */
export function findServiceTicket(cache: CredentialCache, server: Principal, now = Date.now() / 1000): CcacheCredential | undefined {
  const kdcNow = now + (cache.kdcOffset?.seconds ?? 0);
  let best: CcacheCredential | undefined;
  for (const c of cache.credentials) {
    if (!usable(c, kdcNow) || !samePrincipal(c.server, server) || !samePrincipal(c.client, cache.principal)) continue;
    if (best === undefined || c.endtime >= best.endtime) best = c;
  }
  return best;
}

/** The cache with `cred` added, replacing an older ticket for the same client and server. */
export function withCredential(cache: CredentialCache, cred: CcacheCredential): CredentialCache {
  const rest = cache.credentials.filter((c) => !(samePrincipal(c.server, cred.server) && samePrincipal(c.client, cred.client)));
  return { ...cache, credentials: [...rest, cred] };
}

const toDate = (s: number): Date => new Date(s * 1000);
const toSeconds = (d: Date): number => Math.floor(d.getTime() / 1000);

/** The shared credential shape (Dates; 0 times become absent) for the KDC client and GSS. */
export function toKerberosCredential(c: CcacheCredential): KerberosCredential {
  return {
    client: c.client,
    server: c.server,
    key: c.key,
    authTime: toDate(c.authtime),
    ...(c.starttime !== 0 ? { startTime: toDate(c.starttime) } : {}),
    endTime: toDate(c.endtime),
    ...(c.renewTill !== 0 ? { renewTill: toDate(c.renewTill) } : {}),
    flags: c.ticketFlags,
    ticket: c.ticket,
  };
}

/** A ccache credential for a ticket the KDC client obtained (no addresses, authdata or second ticket). */
export function fromKerberosCredential(k: KerberosCredential): CcacheCredential {
  return {
    client: k.client,
    server: k.server,
    key: k.key,
    authtime: toSeconds(k.authTime),
    starttime: k.startTime ? toSeconds(k.startTime) : 0,
    endtime: toSeconds(k.endTime),
    renewTill: k.renewTill ? toSeconds(k.renewTill) : 0,
    isSkey: false,
    ticketFlags: k.flags >>> 0,
    addresses: [],
    authdata: [],
    ticket: k.ticket,
    secondTicket: Buffer.alloc(0),
  };
}
