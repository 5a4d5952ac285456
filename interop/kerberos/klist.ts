/**
 * Reads MIT `klist` output (run with LC_ALL=C, TZ=UTC) into plain rows, and renders our decoded
 * caches and keytabs into the same rows, so tests compare what MIT sees with what we read.
 */
import type { CcacheCredential, CredentialCache } from '../../src/auth/kerberos/ccache.js';
import { isConfigEntry } from '../../src/auth/kerberos/ccache.js';
import { enctypeName } from '../../src/auth/kerberos/krb5-conf.js';
import type { Keytab } from '../../src/auth/kerberos/keytab.js';
import { formatPrincipal } from '../../src/auth/kerberos/principal-name.js';

export interface KlistTicket {
  readonly start: string;
  readonly expires: string;
  readonly server: string;
  readonly renewUntil?: string;
  readonly flags: string;
  readonly skey: string;
  readonly tkt: string;
}

export interface KlistCache {
  readonly principal: string;
  readonly tickets: readonly KlistTicket[];
}

/** MIT 1.20 marks some enctypes "DEPRECATED:" in klist; the name after it is krb5.conf's. */
const undeprecate = (s: string) => s.trim().replace(/^DEPRECATED:/, '');

/**
 * Parses `klist -e -f -c <cache>`. After each ticket line klist prints, tab-indented and joined by
 * ", ": `renew until <time>` (when set), `Flags: <letters>` (when any), `Etype (skey, tkt): a, b`,
 * breaking the line after the third field (krb5 src/clients/klist/klist.c show_credential).
 */
export function parseKlistCache(out: string): KlistCache {
  const principal = /^Default principal: (.+)$/m.exec(out)?.[1];
  if (principal === undefined) throw new Error(`klist printed no default principal:\n${out}`);
  const tickets: KlistTicket[] = [];
  const lines = out.split('\n');
  const TICKET = /^(\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d)\s+(\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d)\s+(\S+)\s*$/;
  for (let i = 0; i < lines.length; i++) {
    const m = TICKET.exec(lines[i]!);
    if (!m) continue;
    const details: string[] = [];
    for (let j = i + 1; j < lines.length && /^\s/.test(lines[j]!) && lines[j]!.trim() !== ''; j++) details.push(lines[j]!.trim());
    const text = details.join(', ');
    const renewUntil = /renew until (\S+ [^\s,]+)/.exec(text)?.[1];
    const flags = /Flags: (\S+?)(?:,|$)/.exec(text)?.[1] ?? '';
    const etypes = /Etype \(skey, tkt\): ([^,]+), ([^,]+?)\s*(?:,|$)/.exec(text);
    if (!etypes) throw new Error(`klist: no etype field after "${lines[i]}":\n${out}`);
    tickets.push({ start: m[1]!, expires: m[2]!, server: m[3]!, ...(renewUntil ? { renewUntil } : {}), flags, skey: undeprecate(etypes[1]!), tkt: undeprecate(etypes[2]!) });
  }
  return { principal, tickets };
}

export interface KlistKey {
  readonly kvno: number;
  readonly timestamp: string;
  readonly principal: string;
  readonly etype: string;
  readonly key: string;
}

/** Parses `klist -k -t -e -K <keytab>`. */
export function parseKlistKeytab(out: string): KlistKey[] {
  const rows: KlistKey[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+) (\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d) (\S+) \(([^)]+)\)\s+\(0x([0-9a-f]+)\)\s*$/.exec(line);
    if (m) rows.push({ kvno: Number(m[1]), timestamp: m[2]!, principal: m[3]!, etype: undeprecate(m[4]!), key: m[5]! });
  }
  return rows;
}

/** klist's short date format with LC_ALL=C and TZ=UTC: `MM/DD/YY HH:MM:SS`. */
export function klistTime(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${p(d.getUTCFullYear() % 100)} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** Ticket flag letters in klist's order (krb5 src/clients/klist/klist.c flags_string). */
const FLAG_LETTERS: ReadonlyArray<readonly [number, string]> = [
  [1, 'F'],
  [2, 'f'],
  [3, 'P'],
  [4, 'p'],
  [5, 'D'],
  [6, 'd'],
  [7, 'i'],
  [8, 'R'],
  [9, 'I'],
  [11, 'H'],
  [10, 'A'],
  [12, 'T'],
  [13, 'O'],
  [16, 'a'],
];

export function klistFlags(flags: number): string {
  return FLAG_LETTERS.filter(([bit]) => (flags & (0x80000000 >>> bit)) !== 0)
    .map(([, l]) => l)
    .join('');
}

/** The enctype of a DER Ticket's enc-part: Ticket ::= [APPLICATION 1] SEQUENCE { ..., enc-part [3] EncryptedData { etype [0] Int32, ... } }. */
export function ticketEnctype(ticket: Buffer): number {
  const tlv = (b: Buffer, at: number): { tag: number; start: number; end: number } => {
    const tag = b[at]!;
    let len = b[at + 1]!;
    let start = at + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + b[start + i]!;
      start += n;
    }
    if (start + len > b.length) throw new Error('ticket DER runs past its end');
    return { tag, start, end: start + len };
  };
  const app = tlv(ticket, 0);
  const seq = tlv(ticket, app.start);
  for (let at = seq.start; at < seq.end; ) {
    const field = tlv(ticket, at);
    if (field.tag === 0xa3) {
      const enc = tlv(ticket, field.start);
      const etypeField = tlv(ticket, enc.start);
      const int = tlv(ticket, etypeField.start);
      return ticket.readIntBE(int.start, int.end - int.start);
    }
    at = field.end;
  }
  throw new Error('ticket has no enc-part');
}

/** Our decoded cache as klist would print it (config entries are not tickets and klist hides them). */
export function klistViewOfCache(cache: CredentialCache): KlistCache {
  const row = (c: CcacheCredential): KlistTicket => ({
    start: klistTime(c.starttime !== 0 ? c.starttime : c.authtime),
    expires: klistTime(c.endtime),
    server: formatPrincipal(c.server),
    ...(c.renewTill !== 0 ? { renewUntil: klistTime(c.renewTill) } : {}),
    flags: klistFlags(c.ticketFlags),
    skey: enctypeName(c.key.etype),
    tkt: enctypeName(ticketEnctype(c.ticket)),
  });
  return { principal: formatPrincipal(cache.principal), tickets: cache.credentials.filter((c) => !isConfigEntry(c)).map(row) };
}

/** Our decoded keytab as `klist -k -t -e -K` would print it. */
export function klistViewOfKeytab(keytab: Keytab): KlistKey[] {
  return keytab.entries.map((e) => ({
    kvno: e.kvno,
    timestamp: klistTime(Math.floor((e.timestamp?.getTime() ?? 0) / 1000)),
    principal: formatPrincipal(e.principal),
    etype: enctypeName(e.key.etype),
    key: e.key.value.toString('hex'),
  }));
}
