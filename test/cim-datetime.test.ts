// CIM datetime spellings: DMTF (DSP0004 5.2.4; learn.microsoft.com/windows/win32/wmisdk/cim-datetime and
// .../wmisdk/interval-format), xs:dateTime / xs:duration as WinRM writes cim:Datetime / cim:Interval (DSP0230).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatCimDateTime,
  parseCimDateTime,
  parseXsDate,
  parseXsDateTime,
  parseXsDuration,
  parseXsTime,
} from '../src/cim/datetime.js';
import { CimDateTime, CimInterval } from '../src/cim/types.js';
import { CimDecodeError, ErrorCodes, InvalidOptionError } from '../src/errors.js';

function asDateTime(v: CimDateTime | CimInterval): CimDateTime {
  assert.ok(v instanceof CimDateTime, `expected a CimDateTime, got ${String(v)}`);
  return v;
}

function asInterval(v: CimDateTime | CimInterval): CimInterval {
  assert.ok(v instanceof CimInterval, `expected a CimInterval, got ${String(v)}`);
  return v;
}

test('DMTF timestamp with a negative UTC offset', () => {
  const v = asDateTime(parseCimDateTime('20240305142210.123456-480'));
  assert.equal(v.date?.toISOString(), '2024-03-05T22:22:10.123Z');
  assert.equal(v.microseconds, 123456);
  assert.equal(v.utcOffsetMinutes, -480);
  assert.equal(v.raw, '20240305142210.123456-480');
  assert.equal(v.toJSON(), '2024-03-05T22:22:10.123Z');
});

test('DMTF timestamp with a positive offset, surrounded by whitespace', () => {
  const v = asDateTime(parseCimDateTime('  20101231123003.123456+360\n'));
  assert.equal(v.date?.toISOString(), '2010-12-31T06:30:03.123Z');
  assert.equal(v.utcOffsetMinutes, 360);
  assert.equal(v.raw, '20101231123003.123456+360');
});

test('DMTF timestamp crossing a year boundary through the offset', () => {
  const v = asDateTime(parseCimDateTime('20231231233000.000000-060'));
  assert.equal(v.date?.toISOString(), '2024-01-01T00:30:00.000Z');
});

test('DMTF timestamp: wildcarded fields give no instant', () => {
  const v = asDateTime(parseCimDateTime('19980401135809.000000+***'));
  assert.equal(v.date, null);
  assert.equal(v.utcOffsetMinutes, null);
  assert.equal(v.microseconds, 0);
  assert.equal(v.toJSON(), '19980401135809.000000+***');

  const w = asDateTime(parseCimDateTime('********135809.******+000'));
  assert.equal(w.date, null);
  assert.equal(w.microseconds, null);
  assert.equal(w.utcOffsetMinutes, 0);

  assert.equal(asDateTime(parseCimDateTime('2024**05142210.123456+000')).date, null);
});

test('DMTF timestamp: microseconds with reduced precision keep the instant', () => {
  const v = asDateTime(parseCimDateTime('20240101000000.123***+000'));
  assert.equal(v.microseconds, 123000);
  assert.equal(v.date?.toISOString(), '2024-01-01T00:00:00.123Z');
});

test('DMTF timestamp: an all-zero date names no instant', () => {
  const v = asDateTime(parseCimDateTime('00000000000000.000000+000'));
  assert.equal(v.date, null);
});

test('DMTF interval (MS example: 1 day, 12 hours, 0 minutes, 32 seconds)', () => {
  const v = asInterval(parseCimDateTime('00000001120032.000000:000'));
  assert.deepEqual([v.days, v.hours, v.minutes, v.seconds, v.microseconds], [1, 12, 0, 32, 0]);
  assert.equal(v.totalMilliseconds, (36 * 3600 + 32) * 1000);
  assert.equal(v.toJSON(), 'P1DT12H0M32S');
});

test('DMTF interval: Hyper-V TimeBeforeRemoval default is five minutes', () => {
  const v = asInterval(parseCimDateTime('00000000000500.000000:000'));
  assert.equal(v.totalMilliseconds, 5 * 60_000);
});

test('DMTF garbage is refused with CimDecodeError', () => {
  const bad = [
    '',
    'hello',
    '2024-03-05T14:22:10Z',
    '20241305000000.000000+000', // month 13
    '20240230000000.000000+000', // 30 February
    '20240305250000.000000+000', // hour 25
    '20240305146010.000000+000', // minute 60
    '2024030514221.1234567+000', // misplaced dot
    '20240305142210.123456+1*0', // half-wildcarded offset
    '20*40305142210.123456+000', // half-wildcarded year
    '20240305142210.1*3456+000', // asterisk inside the microseconds
    '00000000250000.000000:000', // interval hour 25
    '0000000012003*.000000:000', // asterisks outside the interval's microseconds
    '00000001120032.000000:001', // interval must end :000
  ];
  for (const text of bad) {
    assert.throws(
      () => parseCimDateTime(text),
      (err: unknown) => err instanceof CimDecodeError && err.code === ErrorCodes.CIM_DECODE,
      text,
    );
  }
});

test('xs:dateTime as WinRM writes cim:Datetime', () => {
  const v = parseXsDateTime('2010-12-31T12:30:03.123456+06:00');
  assert.equal(v.date?.toISOString(), '2010-12-31T06:30:03.123Z');
  assert.equal(v.microseconds, 123456);
  assert.equal(v.utcOffsetMinutes, 360);

  const z = parseXsDateTime('2024-03-05T14:22:10Z');
  assert.equal(z.date?.toISOString(), '2024-03-05T14:22:10.000Z');
  assert.equal(z.utcOffsetMinutes, 0);

  // Five fraction digits, as seen in a recorded WinRM reply.
  const five = parseXsDateTime('2014-04-03T14:45:50.46875+08:00');
  assert.equal(five.microseconds, 468750);
  assert.equal(five.date?.toISOString(), '2014-04-03T06:45:50.468Z');

  const neg = parseXsDateTime('2024-03-05T14:22:10.5-05:30');
  assert.equal(neg.utcOffsetMinutes, -330);
  assert.equal(neg.date?.toISOString(), '2024-03-05T19:52:10.500Z');
});

test('xs:dateTime without a zone: offset unknown, instant read as UTC', () => {
  const v = parseXsDateTime('2024-03-05T14:22:10.000001');
  assert.equal(v.utcOffsetMinutes, null);
  assert.equal(v.microseconds, 1);
  assert.equal(v.date?.toISOString(), '2024-03-05T14:22:10.000Z');
});

test('xs:dateTime: 24:00:00 is the end of the day', () => {
  assert.equal(parseXsDateTime('2024-02-29T24:00:00Z').date?.toISOString(), '2024-03-01T00:00:00.000Z');
});

test('xs:dateTime garbage is refused', () => {
  for (const text of ['', 'yesterday', '2010-13-01T00:00:00Z', '2010-02-30T00:00:00Z', '2010-01-01 00:00:00Z', '2010-01-01T00:00:00+15:00', '20240305142210.123456+000']) {
    assert.throws(() => parseXsDateTime(text), CimDecodeError, text);
  }
});

test('xs:date and xs:time (cim:Date, cim:Time)', () => {
  const d = parseXsDate('2024-03-05+01:00');
  assert.equal(d.date?.toISOString(), '2024-03-04T23:00:00.000Z');
  assert.equal(d.utcOffsetMinutes, 60);
  const t = parseXsTime('12:30:03.25Z');
  assert.equal(t.date, null);
  assert.equal(t.microseconds, 250000);
  assert.equal(t.utcOffsetMinutes, 0);
  assert.throws(() => parseXsTime('25:00:00'), CimDecodeError);
  assert.throws(() => parseXsDate('2024-02-30'), CimDecodeError);
});

test('xs:duration as WinRM writes cim:Interval', () => {
  const v = parseXsDuration('P1DT2H3M4.5S');
  assert.deepEqual([v.days, v.hours, v.minutes, v.seconds, v.microseconds], [1, 2, 3, 4, 500000]);
  const w = parseXsDuration('P0DT0H1M40S');
  assert.equal(w.totalMilliseconds, 100_000);
  const f = parseXsDuration('PT0.000001S');
  assert.equal(f.microseconds, 1);
  assert.equal(parseXsDuration('P0Y0M2D').days, 2);
});

test('xs:duration overflowing fields carry upward', () => {
  const v = parseXsDuration('PT36H90M3600S');
  assert.deepEqual([v.days, v.hours, v.minutes, v.seconds], [1, 14, 30, 0]);
});

test('xs:duration that cannot be a CIM interval is refused', () => {
  for (const text of ['', 'P', 'PT', 'P1DT', '1D', '-P1D', 'P1Y', 'P2M', 'PT1.S', 'P100000000D']) {
    assert.throws(() => parseXsDuration(text), CimDecodeError, text);
  }
});

test('formatCimDateTime round-trips DMTF timestamps and intervals', () => {
  for (const text of ['20240305142210.123456-480', '20101231123003.000001+360', '00010101000000.000000+000']) {
    assert.equal(formatCimDateTime(parseCimDateTime(text)), text);
  }
  for (const text of ['00000001120032.000000:000', '99999999235959.999999:000']) {
    assert.equal(formatCimDateTime(parseCimDateTime(text)), text);
  }
});

test('formatCimDateTime writes xs values and Dates in DMTF form', () => {
  assert.equal(formatCimDateTime(parseXsDateTime('2010-12-31T12:30:03.123456+06:00')), '20101231123003.123456+360');
  assert.equal(formatCimDateTime(parseXsDateTime('2024-03-05T14:22:10.5-05:30')), '20240305142210.500000-330');
  assert.equal(formatCimDateTime(new Date('2024-03-05T14:22:10.789Z')), '20240305142210.789000+000');
  assert.equal(formatCimDateTime(parseXsDuration('PT36H0.25S')), '00000001120000.250000:000');
  assert.equal(formatCimDateTime(new CimInterval('x', 0, 0, 5, 0, 0)), '00000000000500.000000:000');
});

test('formatCimDateTime keeps wildcards and refuses what it cannot write', () => {
  assert.equal(formatCimDateTime(parseCimDateTime('19980401135809.000000+***')), '19980401135809.000000+***');
  assert.throws(() => formatCimDateTime(parseXsTime('12:00:00')), InvalidOptionError);
  assert.throws(() => formatCimDateTime(new Date(Number.NaN)), InvalidOptionError);
  assert.throws(() => formatCimDateTime(new CimInterval('x', 0, 24, 0, 0, 0)), InvalidOptionError);
  assert.throws(() => formatCimDateTime(new CimDateTime('x', new Date(0), 0, 1000)), InvalidOptionError);
});

test('xs:duration: small fields (number arithmetic) and large ones (BigInt) carry the same way', () => {
  const fields = (t: string): number[] => {
    const v = parseXsDuration(t);
    return [v.days, v.hours, v.minutes, v.seconds, v.microseconds];
  };
  assert.deepEqual(fields('P1DT36H90M3661.5S'), [2, 14, 31, 1, 500000]);
  assert.deepEqual(fields('P9999DT99999H9999999M99999999.999999S'), [22267, 11, 25, 39, 999999]);
  // Past the fast path's field widths: the same carries, through BigInt.
  assert.deepEqual(fields('P10000DT999999H1S'), [51666, 15, 0, 1, 0]);
  assert.deepEqual(fields('PT0S'), [0, 0, 0, 0, 0]);
});
