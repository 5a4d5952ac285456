/**
 * CIM datetime values in their three wire spellings:
 * - DMTF form used by CIM-XML and WMI (DSP0004 5.2.4; MS "CIM_DATETIME" and "Interval Format" pages):
 *   timestamp `yyyymmddHHMMSS.mmmmmmsUUU`, interval `ddddddddHHMMSS.mmmmmm:000`;
 * - xs:dateTime / xs:date / xs:time, as WinRM writes `cim:Datetime`, `cim:Date`, `cim:Time` (DSP0230);
 * - xs:duration, as WinRM writes `cim:Interval` (e.g. `P0DT0H1M40S`).
 * All parsers throw CimDecodeError on text that does not have the expected shape.
 */
import { CimDecodeError, InvalidOptionError } from '../errors.js';
import { CimDateTime, CimInterval } from './types.js';

const DMTF_LENGTH = 25;
// Each field is either all digits or all asterisks (wildcarded); microseconds may lose precision from the right.
const DMTF_TIMESTAMP = /^([\d*]{4})([\d*]{2})([\d*]{2})([\d*]{2})([\d*]{2})([\d*]{2})\.([\d*]{6})([+-])([\d*]{3})$/;
const DMTF_INTERVAL = /^(\d{8})(\d{2})(\d{2})(\d{2})\.([\d*]{6}):000$/;
const MICROS_FIELD = /^\d*\**$/;

const XS_DATETIME = /^(\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$/;
const XS_DATE = /^(\d{4,})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?$/;
const XS_TIME = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$/;
const XS_DURATION = /^(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d+))?S)?)?$/;

/** Largest day count the 8-digit DMTF interval field can carry. */
const MAX_INTERVAL_DAYS = 99_999_999;
const MICROS_PER = { second: 1_000_000n, minute: 60_000_000n, hour: 3_600_000_000n, day: 86_400_000_000n } as const;

function fail(what: string, text: string): never {
  const shown = text.length > 64 ? `${text.slice(0, 64)}...` : text;
  throw new CimDecodeError(`Invalid ${what}: "${shown}".`);
}

function isWild(field: string): boolean {
  return field.includes('*');
}

/** Microseconds field: all digits, digits then asterisks (reduced precision, padded with zeros), or all asterisks (null). */
function parseMicros(field: string, text: string): number | null {
  if (!MICROS_FIELD.test(field)) fail('CIM datetime microseconds', text);
  const digits = field.replace(/\*+$/, '');
  return digits === '' ? null : Number(digits.padEnd(6, '0'));
}

/** Fractional-second digits of an xs: value to microseconds (beyond 6 digits truncated). */
function fractionToMicros(frac: string | undefined): number {
  return frac ? Number(frac.slice(0, 6).padEnd(6, '0')) : 0;
}

/**
 * The UTC instant of a local wall-clock time with the given offset, or undefined when a calendar
 * field is out of range. Uses setUTCFullYear so years below 100 are not shifted to 19xx.
 */
function instant(y: number, mo: number, d: number, h: number, mi: number, s: number, micros: number, offsetMinutes: number): Date | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 59) return undefined;
  // xs allows 24:00:00 as the end of a day; DMTF hours stop at 23 (checked by the caller).
  if (h === 24 && (mi !== 0 || s !== 0 || micros !== 0)) return undefined;
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return undefined;
  t.setUTCHours(h, mi, s, Math.floor(micros / 1000));
  const utc = new Date(t.getTime() - offsetMinutes * 60_000);
  // Near the ends of the Date range (±8.64e15 ms) the offset can push the instant out of it, e.g.
  // 275760-09-13T00:00:00-14:00: an Invalid Date would make toJSON/toISOString throw RangeError later.
  return Number.isNaN(utc.getTime()) ? undefined : utc;
}

/** `Z` / `+hh:mm` / `-hh:mm` to minutes; null when absent. */
function xsOffset(tz: string | undefined, text: string): number | null {
  if (tz === undefined) return null;
  if (tz === 'Z') return 0;
  const h = Number(tz.slice(1, 3));
  const m = Number(tz.slice(4, 6));
  if (h > 14 || m > 59) fail('time zone offset', text);
  return (tz[0] === '-' ? -1 : 1) * (h * 60 + m);
}

function parseDmtfTimestamp(raw: string, text: string): CimDateTime {
  const m = DMTF_TIMESTAMP.exec(text);
  if (!m) fail('CIM datetime', text);
  const [, y, mo, d, h, mi, s, us, sign, off] = m as unknown as [string, string, string, string, string, string, string, string, string, string];
  const whole = [y, mo, d, h, mi, s, off];
  for (const f of whole) if (isWild(f) && !/^\*+$/.test(f)) fail('CIM datetime (partly wildcarded field)', text);
  const micros = parseMicros(us, text);
  const offset = isWild(off) ? null : (sign === '-' ? -1 : 1) * Number(off);
  if (whole.some(isWild) || offset === null) return new CimDateTime(raw, null, micros, offset);
  // All-zero dates are written by some providers for "never set"; they name no instant.
  if (y === '0000' && mo === '00' && d === '00') return new CimDateTime(raw, null, micros, offset);
  if (Number(h) > 23) fail('CIM datetime', text);
  const date = instant(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), micros ?? 0, offset);
  if (!date) fail('CIM datetime', text);
  return new CimDateTime(raw, date, micros, offset);
}

function parseDmtfInterval(raw: string, text: string): CimInterval {
  const m = DMTF_INTERVAL.exec(text);
  if (!m) fail('CIM interval', text);
  const [, d, h, mi, s, us] = m as unknown as [string, string, string, string, string, string];
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) fail('CIM interval', text);
  return new CimInterval(raw, Number(d), Number(h), Number(mi), Number(s), parseMicros(us, text) ?? 0);
}

/**
 * Parse the DMTF form. The character at offset 21 tells the two apart: `:` for an interval,
 * `+`/`-` for a timestamp. Surrounding whitespace is ignored.
 */
export function parseCimDateTime(text: string): CimDateTime | CimInterval {
  const t = text.trim();
  if (t.length !== DMTF_LENGTH) fail('CIM datetime', t);
  return t[21] === ':' ? parseDmtfInterval(t, t) : parseDmtfTimestamp(t, t);
}

/**
 * Parse xs:dateTime. Without a time-zone designator the offset is unknown (null) and the instant
 * is computed as if the text were UTC.
 */
export function parseXsDateTime(text: string): CimDateTime {
  const t = text.trim();
  const m = XS_DATETIME.exec(t);
  if (!m) fail('xs:dateTime', t);
  const [, y, mo, d, h, mi, s, frac, tz] = m as unknown as [string, string, string, string, string, string, string, string | undefined, string | undefined];
  const offset = xsOffset(tz, t);
  const micros = fractionToMicros(frac);
  const date = instant(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), micros, offset ?? 0);
  if (!date) fail('xs:dateTime', t);
  return new CimDateTime(t, date, micros, offset);
}

/** Parse xs:date (`cim:Date`): the instant is midnight at the start of that day in its offset (UTC if none). */
export function parseXsDate(text: string): CimDateTime {
  const t = text.trim();
  const m = XS_DATE.exec(t);
  if (!m) fail('xs:date', t);
  const [, y, mo, d, tz] = m as unknown as [string, string, string, string, string | undefined];
  const offset = xsOffset(tz, t);
  const date = instant(Number(y), Number(mo), Number(d), 0, 0, 0, 0, offset ?? 0);
  if (!date) fail('xs:date', t);
  return new CimDateTime(t, date, 0, offset);
}

/** Parse xs:time (`cim:Time`): a time of day names no instant, so `date` is null. */
export function parseXsTime(text: string): CimDateTime {
  const t = text.trim();
  const m = XS_TIME.exec(t);
  if (!m) fail('xs:time', t);
  const [, h, mi, s, frac, tz] = m as unknown as [string, string, string, string, string | undefined, string | undefined];
  const offset = xsOffset(tz, t);
  const micros = fractionToMicros(frac);
  if (!instant(1970, 1, 1, Number(h), Number(mi), Number(s), micros, 0)) fail('xs:time', t);
  return new CimDateTime(t, null, micros, offset);
}

/**
 * Parse xs:duration into an interval, carrying overflowing fields upward (`PT36H` = 1 day 12 hours).
 * Years and months have no fixed length in days, and CIM intervals are never negative, so both are refused.
 */
export function parseXsDuration(text: string): CimInterval {
  const t = text.trim();
  const m = XS_DURATION.exec(t);
  if (!m || t === 'P' || t.endsWith('T')) fail('xs:duration', t);
  const [, neg, years, months, d, h, mi, s, frac] = m as unknown as Array<string | undefined>;
  if (neg) fail('xs:duration (negative intervals do not exist in CIM)', t);
  if (BigInt(years ?? '0') !== 0n || BigInt(months ?? '0') !== 0n) fail('xs:duration (years and months cannot be converted to a CIM interval)', t);
  // Common case (WinRM writes P<d>DT<h>H<m>M<s>.<frac>S with small fields): a total below 2^53
  // microseconds is exact in doubles, so the BigInt arithmetic below is not needed.
  if ((d ?? '').length <= 4 && (h ?? '').length <= 5 && (mi ?? '').length <= 7 && (s ?? '').length <= 8) {
    let rest = Number(d ?? '0') * 86_400_000_000 + Number(h ?? '0') * 3_600_000_000 + Number(mi ?? '0') * 60_000_000 + Number(s ?? '0') * 1_000_000 + fractionToMicros(frac);
    const days = Math.floor(rest / 86_400_000_000);
    rest -= days * 86_400_000_000;
    const hours = Math.floor(rest / 3_600_000_000);
    rest -= hours * 3_600_000_000;
    const minutes = Math.floor(rest / 60_000_000);
    rest -= minutes * 60_000_000;
    const seconds = Math.floor(rest / 1_000_000);
    return new CimInterval(t, days, hours, minutes, seconds, rest - seconds * 1_000_000);
  }
  const total =
    BigInt(d ?? '0') * MICROS_PER.day +
    BigInt(h ?? '0') * MICROS_PER.hour +
    BigInt(mi ?? '0') * MICROS_PER.minute +
    BigInt(s ?? '0') * MICROS_PER.second +
    BigInt(fractionToMicros(frac));
  const days = total / MICROS_PER.day;
  if (days > BigInt(MAX_INTERVAL_DAYS)) fail('xs:duration (more days than a CIM interval can hold)', t);
  let rest = total % MICROS_PER.day;
  const hours = rest / MICROS_PER.hour;
  rest %= MICROS_PER.hour;
  const minutes = rest / MICROS_PER.minute;
  rest %= MICROS_PER.minute;
  const seconds = rest / MICROS_PER.second;
  const micros = rest % MICROS_PER.second;
  return new CimInterval(t, Number(days), Number(hours), Number(minutes), Number(seconds), Number(micros));
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function formatInterval(v: CimInterval): string {
  const fields: Array<[number, number, number]> = [
    [v.days, 0, MAX_INTERVAL_DAYS],
    [v.hours, 0, 23],
    [v.minutes, 0, 59],
    [v.seconds, 0, 59],
    [v.microseconds, 0, 999_999],
  ];
  for (const [n, lo, hi] of fields) {
    if (!Number.isInteger(n) || n < lo || n > hi) throw new InvalidOptionError(`CIM interval field ${n} is out of range ${lo}..${hi}.`);
  }
  return `${pad(v.days, 8)}${pad(v.hours, 2)}${pad(v.minutes, 2)}${pad(v.seconds, 2)}.${pad(v.microseconds, 6)}:000`;
}

/** Wall-clock fields of `date` shifted by `offsetMinutes`, in DMTF form. */
function formatInstant(date: Date, micros: number, offsetMinutes: number): string {
  if (Number.isNaN(date.getTime())) throw new InvalidOptionError('Cannot format an invalid Date as a CIM datetime.');
  if (!Number.isInteger(offsetMinutes) || Math.abs(offsetMinutes) > 999) {
    throw new InvalidOptionError(`UTC offset of ${offsetMinutes} minutes cannot be written in a CIM datetime.`);
  }
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  const year = local.getUTCFullYear();
  if (year < 0 || year > 9999) throw new InvalidOptionError(`Year ${year} cannot be written in a CIM datetime.`);
  const sign = offsetMinutes < 0 ? '-' : '+';
  return (
    `${pad(year, 4)}${pad(local.getUTCMonth() + 1, 2)}${pad(local.getUTCDate(), 2)}` +
    `${pad(local.getUTCHours(), 2)}${pad(local.getUTCMinutes(), 2)}${pad(local.getUTCSeconds(), 2)}` +
    `.${pad(micros, 6)}${sign}${pad(Math.abs(offsetMinutes), 3)}`
  );
}

/**
 * Write a value in DMTF form, as CIM-XML inputs need (WMI refuses ISO 8601 there).
 * A plain Date is written in UTC (`+000`). A datetime whose instant is unknown is written as
 * received when that was already DMTF form (wildcards kept), else refused.
 */
export function formatCimDateTime(v: CimDateTime | CimInterval | Date): string {
  if (v instanceof Date) return formatInstant(v, v.getUTCMilliseconds() * 1000, 0);
  if (v instanceof CimInterval) return formatInterval(v);
  if (v.date) {
    const micros = v.microseconds ?? v.date.getUTCMilliseconds() * 1000;
    if (!Number.isInteger(micros) || micros < 0 || micros > 999_999) throw new InvalidOptionError(`Microseconds ${micros} out of range 0..999999.`);
    return formatInstant(v.date, micros, v.utcOffsetMinutes ?? 0);
  }
  const raw = v.raw.trim();
  if (DMTF_TIMESTAMP.test(raw)) return raw;
  throw new InvalidOptionError(`The datetime "${raw}" names no instant and cannot be written in DMTF form.`);
}
