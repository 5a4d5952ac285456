// WQL parser/evaluator of the emulated host (MS-WMI 2.2.1 subset): the queries Hyper-V clients send.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateCondition, likeToRegExp, matchesQuery, parseWql, referencedProperties, rowLookup, WqlSyntaxError } from '../src/emulator/wql.js';
import type { PropValue } from '../src/emulator/classes.js';

const row = (r: Record<string, PropValue>) => rowLookup(r);
const job = {
  InstanceID: '4E7B2A9C-5D1F-4C83-A6E0-9B3D7F2C1A68',
  JobState: 10,
  ErrorCode: 32768,
  PercentComplete: 100,
  ElementName: "Modify 'Resource' Settings",
  ErrorDescription: null,
  Cancellable: true,
  StartTime: new Date(Date.UTC(2026, 10, 20, 10, 15, 0, 123)),
  OperationalStatus: [6],
} satisfies Record<string, PropValue>;

function where(condition: string, r: Record<string, PropValue> = job): boolean {
  return matchesQuery(parseWql(`SELECT * FROM Msvm_ConcreteJob WHERE ${condition}`), row(r));
}

test('SELECT * FROM Class parses with no projection and no condition; keywords are case-insensitive', () => {
  const q = parseWql('select * from msvm_concretejob');
  assert.equal(q.properties, undefined);
  assert.equal(q.className, 'msvm_concretejob');
  assert.equal(q.where, undefined);
  assert.equal(matchesQuery(q, row(job)), true);
});

test('A property list is kept in order and reported by referencedProperties', () => {
  const q = parseWql('SELECT InstanceID, JobState ,ErrorCode FROM CIM_ConcreteJob WHERE PercentComplete < 50');
  assert.deepEqual(q.properties, ['InstanceID', 'JobState', 'ErrorCode']);
  assert.equal(q.className, 'CIM_ConcreteJob');
  assert.deepEqual(referencedProperties(q), ['InstanceID', 'JobState', 'ErrorCode', 'PercentComplete']);
});

test('Equality on numbers and strings; string comparison ignores case, as WMI does', () => {
  assert.equal(where('JobState = 10'), true);
  assert.equal(where('JobState = 7'), false);
  assert.equal(where(`InstanceID = '${job.InstanceID.toLowerCase()}'`), true);
  assert.equal(where(`InstanceID = "${job.InstanceID}"`), true);
  assert.equal(where("InstanceID = 'something else'"), false);
});

test('<> and != are the same operator', () => {
  assert.equal(where('ErrorCode <> 0'), true);
  assert.equal(where('ErrorCode != 0'), true);
  assert.equal(where('ErrorCode<>32768'), false);
});

test('Ordering operators on numbers, and a literal on the left', () => {
  assert.equal(where('PercentComplete >= 100'), true);
  assert.equal(where('PercentComplete > 100'), false);
  assert.equal(where('PercentComplete <= 99'), false);
  assert.equal(where('JobState < 11'), true);
  assert.equal(where('9 < JobState'), true);
  assert.equal(where('-1 < JobState'), true);
});

test('AND binds tighter than OR; NOT and parentheses change that', () => {
  assert.equal(where('JobState = 7 OR JobState = 10 AND ErrorCode = 0'), false);
  assert.equal(where('(JobState = 7 OR JobState = 10) AND ErrorCode <> 0'), true);
  assert.equal(where('NOT JobState = 10'), false);
  assert.equal(where('NOT (JobState = 7 OR ErrorCode = 0)'), true);
  assert.equal(where('not not JobState = 10'), true);
});

test('TRUE and FALSE compare with boolean properties', () => {
  assert.equal(where('Cancellable = TRUE'), true);
  assert.equal(where('Cancellable = false'), false);
});

test('NULL: IS NULL, IS NOT NULL, = NULL and <> NULL; other comparisons with NULL are false', () => {
  assert.equal(where('ErrorDescription IS NULL'), true);
  assert.equal(where('ErrorDescription IS NOT NULL'), false);
  assert.equal(where('ErrorDescription = NULL'), true);
  assert.equal(where('ElementName <> NULL'), true);
  assert.equal(where("ErrorDescription = 'x'"), false);
  assert.equal(where("ErrorDescription <> 'x'"), false);
  assert.equal(where("ErrorDescription LIKE '%'"), false);
});

test('LIKE supports %, _, [set], [^set] and [a-z] ranges, case-insensitively; NOT LIKE negates', () => {
  assert.equal(where("ElementName LIKE 'modify%'"), true);
  assert.equal(where("ElementName LIKE '%settings'"), true);
  assert.equal(where("InstanceID LIKE '4E7B2A9_-%'"), true);
  assert.equal(where("InstanceID LIKE '[0-9]E%'"), true);
  assert.equal(where("InstanceID LIKE '[^0-9]%'"), false);
  assert.equal(where("ElementName NOT LIKE '%Resource%'"), false);
  assert.equal(likeToRegExp('a.b%').test('a.bcd'), true);
  assert.equal(likeToRegExp('a.b%').test('axbcd'), false, 'regular-expression characters in the pattern are literal');
});

test('String literals take backslash escapes and the other quote character unescaped', () => {
  assert.equal(where("ElementName = 'Modify \\'Resource\\' Settings'"), true);
  assert.equal(where(`ElementName = "Modify 'Resource' Settings"`), true);
});

test('A number compared with a numeric string coerces; a non-numeric string never matches a number', () => {
  assert.equal(where("JobState = '10'"), true);
  assert.equal(where("JobState = 'ten'"), false);
});

test('Timestamps compare as DMTF datetime strings, as WQL does', () => {
  assert.equal(where("StartTime > '20261120000000.000000+000'"), true);
  assert.equal(where("StartTime < '20261120000000.000000+000'"), false);
  assert.equal(where("StartTime = '20261120101500.123000+000'"), true);
});

test('Arrays cannot be compared in WHERE', () => {
  assert.equal(where('OperationalStatus = 6'), false);
});

test('Property names are case-insensitive in conditions', () => {
  assert.equal(where('jobstate = 10 AND ERRORCODE <> 0'), true);
});

test('A property missing from the row never matches', () => {
  assert.equal(where('NoSuchProperty = 1'), false);
  assert.equal(where('NoSuchProperty IS NULL'), true);
});

test('evaluateCondition works on the parsed tree directly', () => {
  const q = parseWql('SELECT * FROM X WHERE A = 1 AND B = 2');
  assert.equal(evaluateCondition(q.where!, row({ A: 1, B: 2 })), true);
  assert.equal(evaluateCondition(q.where!, row({ A: 1, B: 3 })), false);
});

const INVALID: ReadonlyArray<readonly [string, RegExp]> = [
  ['', /Expected SELECT/],
  ['SELECT FROM Msvm_ConcreteJob', /Expected a property name or \*/],
  ['SELECT * Msvm_ConcreteJob', /Expected FROM/],
  ['SELECT * FROM', /Expected a class name/],
  ['SELECT * FROM Msvm_ConcreteJob WHERE', /Expected a property or a value/],
  ['SELECT * FROM Msvm_ConcreteJob WHERE JobState', /Expected a comparison operator/],
  ['SELECT * FROM Msvm_ConcreteJob WHERE JobState = ', /Expected a property or a value/],
  ["SELECT * FROM Msvm_ConcreteJob WHERE InstanceID = 'abc", /Unterminated string/],
  ['SELECT * FROM Msvm_ConcreteJob WHERE (JobState = 10', /Expected \)/],
  ['SELECT * FROM Msvm_ConcreteJob WHERE JobState = 10 JobState', /Unexpected "JobState"/],
  ['SELECT * FROM Msvm_ConcreteJob WHERE 1 = 1', /at least one property/],
  ['SELECT * FROM Msvm_ConcreteJob WHERE JobState LIKE 10', /LIKE needs a string pattern/],
  ['SELECT * FROM Msvm_ConcreteJob WHERE JobState = 10;', /Unexpected character ";"/],
  ['SELECT *, JobState FROM Msvm_ConcreteJob', /Expected FROM/],
];

for (const [query, message] of INVALID) {
  test(`Invalid WQL is refused with a WqlSyntaxError: ${JSON.stringify(query)}`, () => {
    assert.throws(
      () => parseWql(query),
      (err: unknown) => err instanceof WqlSyntaxError && err.code === 'ERR_WSMAN_PROTOCOL' && message.test(err.message) && Number.isInteger(err.position),
    );
  });
}

test('The error position points at the offending token', () => {
  assert.throws(() => parseWql('SELECT * FROM X WHERE A = = 1'), (err: unknown) => err instanceof WqlSyntaxError && err.position === 26);
});
