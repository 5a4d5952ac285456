/**
 * A small WQL (MS-WMI 2.2.1) parser and evaluator, enough for what clients send to Hyper-V:
 *   SELECT * | Prop [, Prop]* FROM Class [WHERE condition]
 * with =, <>, !=, <, >, <=, >=, LIKE (%, _, [set], [^set]), IS [NOT] NULL, AND, OR, NOT, parentheses,
 * string literals in '…' or "…" (backslash escapes), numbers, TRUE, FALSE, NULL. Keywords, class and
 * property names are case-insensitive, and so are string comparisons (WMI compares strings that way).
 */
import { ErrorCodes, HypervWsmanError } from '../errors.js';
import type { PropValue } from './classes.js';

/** The query text is not valid WQL; the server answers wsen:CannotProcessFilter. */
export class WqlSyntaxError extends HypervWsmanError {
  readonly position: number;
  constructor(message: string, position: number) {
    super(ErrorCodes.PROTOCOL, `${message} (at offset ${position})`);
    this.position = position;
  }
}

export type WqlLiteral = string | number | boolean | null;

export type CompareOp = '=' | '<>' | '<' | '>' | '<=' | '>=';

export type WqlOperand = { readonly kind: 'property'; readonly name: string } | { readonly kind: 'literal'; readonly value: WqlLiteral };

export type WqlCondition =
  | { readonly kind: 'and' | 'or'; readonly left: WqlCondition; readonly right: WqlCondition }
  | { readonly kind: 'not'; readonly operand: WqlCondition }
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly left: WqlOperand; readonly right: WqlOperand }
  | { readonly kind: 'like'; readonly property: string; readonly pattern: string; readonly negated: boolean }
  | { readonly kind: 'isNull'; readonly property: string; readonly negated: boolean };

export interface WqlQuery {
  /** undefined = SELECT * */
  readonly properties: readonly string[] | undefined;
  readonly className: string;
  readonly where: WqlCondition | undefined;
}

type TokenKind = 'ident' | 'string' | 'number' | 'op' | 'punct' | 'eof';
interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly value?: string | number;
  readonly pos: number;
}

const OPERATORS = ['<=', '>=', '<>', '!=', '=', '<', '>'] as const;
const OP_CANONICAL: Readonly<Record<string, CompareOp>> = { '=': '=', '<>': '<>', '!=': '<>', '<': '<', '>': '>', '<=': '<=', '>=': '>=' };
const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r' };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (/[A-Za-z_]/.test(c)) {
      while (i < text.length && /[A-Za-z0-9_]/.test(text[i]!)) i++;
      tokens.push({ kind: 'ident', text: text.slice(start, i), pos: start });
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(text[i + 1] ?? ''))) {
      i++;
      while (i < text.length && /[0-9.]/.test(text[i]!)) i++;
      const raw = text.slice(start, i);
      const n = Number(raw);
      if (!Number.isFinite(n)) throw new WqlSyntaxError(`Invalid number ${raw}`, start);
      tokens.push({ kind: 'number', text: raw, value: n, pos: start });
    } else if (c === "'" || c === '"') {
      i++;
      let s = '';
      for (;;) {
        if (i >= text.length) throw new WqlSyntaxError('Unterminated string literal', start);
        const ch = text[i]!;
        if (ch === '\\' && i + 1 < text.length) {
          const next = text[i + 1]!;
          s += ESCAPES[next] ?? next;
          i += 2;
        } else if (ch === c) {
          i++;
          break;
        } else {
          s += ch;
          i++;
        }
      }
      tokens.push({ kind: 'string', text: text.slice(start, i), value: s, pos: start });
    } else {
      const op = OPERATORS.find((o) => text.startsWith(o, i));
      if (op) {
        tokens.push({ kind: 'op', text: op, pos: start });
        i += op.length;
      } else if (c === '(' || c === ')' || c === ',' || c === '*') {
        tokens.push({ kind: 'punct', text: c, pos: start });
        i++;
      } else {
        throw new WqlSyntaxError(`Unexpected character ${JSON.stringify(c)}`, start);
      }
    }
  }
  tokens.push({ kind: 'eof', text: '', pos: text.length });
  return tokens;
}

const KEYWORDS = new Set(['select', 'from', 'where', 'and', 'or', 'not', 'like', 'is', 'null', 'true', 'false']);

class Parser {
  #i = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  #peek(): Token {
    return this.tokens[this.#i]!;
  }
  #next(): Token {
    return this.tokens[this.#i++]!;
  }
  #isKeyword(t: Token, kw: string): boolean {
    return t.kind === 'ident' && t.text.toLowerCase() === kw;
  }
  #acceptKeyword(kw: string): boolean {
    if (!this.#isKeyword(this.#peek(), kw)) return false;
    this.#i++;
    return true;
  }
  #expectKeyword(kw: string): void {
    const t = this.#peek();
    if (!this.#acceptKeyword(kw)) throw new WqlSyntaxError(`Expected ${kw.toUpperCase()} but found ${t.kind === 'eof' ? 'end of query' : JSON.stringify(t.text)}`, t.pos);
  }
  #acceptPunct(p: string): boolean {
    const t = this.#peek();
    if (t.kind !== 'punct' || t.text !== p) return false;
    this.#i++;
    return true;
  }
  #identifier(what: string): string {
    const t = this.#next();
    if (t.kind !== 'ident' || KEYWORDS.has(t.text.toLowerCase())) {
      throw new WqlSyntaxError(`Expected ${what} but found ${t.kind === 'eof' ? 'end of query' : JSON.stringify(t.text)}`, t.pos);
    }
    return t.text;
  }

  query(): WqlQuery {
    this.#expectKeyword('select');
    let properties: string[] | undefined;
    if (!this.#acceptPunct('*')) {
      properties = [this.#identifier('a property name or *')];
      while (this.#acceptPunct(',')) properties.push(this.#identifier('a property name'));
    }
    this.#expectKeyword('from');
    const className = this.#identifier('a class name');
    let where: WqlCondition | undefined;
    if (this.#acceptKeyword('where')) where = this.#or();
    const t = this.#peek();
    if (t.kind !== 'eof') throw new WqlSyntaxError(`Unexpected ${JSON.stringify(t.text)}`, t.pos);
    return { properties, className, where };
  }

  #or(): WqlCondition {
    let left = this.#and();
    while (this.#acceptKeyword('or')) left = { kind: 'or', left, right: this.#and() };
    return left;
  }

  #and(): WqlCondition {
    let left = this.#not();
    while (this.#acceptKeyword('and')) left = { kind: 'and', left, right: this.#not() };
    return left;
  }

  #not(): WqlCondition {
    if (this.#acceptKeyword('not')) return { kind: 'not', operand: this.#not() };
    if (this.#acceptPunct('(')) {
      const inner = this.#or();
      const t = this.#peek();
      if (!this.#acceptPunct(')')) throw new WqlSyntaxError('Expected )', t.pos);
      return inner;
    }
    return this.#comparison();
  }

  #operand(): WqlOperand {
    const t = this.#next();
    if (t.kind === 'string' || t.kind === 'number') return { kind: 'literal', value: t.value! };
    if (t.kind === 'ident') {
      const kw = t.text.toLowerCase();
      if (kw === 'true' || kw === 'false') return { kind: 'literal', value: kw === 'true' };
      if (kw === 'null') return { kind: 'literal', value: null };
      if (!KEYWORDS.has(kw)) return { kind: 'property', name: t.text };
    }
    throw new WqlSyntaxError(`Expected a property or a value but found ${t.kind === 'eof' ? 'end of query' : JSON.stringify(t.text)}`, t.pos);
  }

  #comparison(): WqlCondition {
    const left = this.#operand();
    const t = this.#peek();
    if (left.kind === 'property' && this.#isKeyword(t, 'is')) {
      this.#i++;
      const negated = this.#acceptKeyword('not');
      this.#expectKeyword('null');
      return { kind: 'isNull', property: left.name, negated };
    }
    const notLike = this.#isKeyword(t, 'not') && this.#isKeyword(this.tokens[this.#i + 1]!, 'like');
    if (left.kind === 'property' && (notLike || this.#isKeyword(t, 'like'))) {
      this.#i += notLike ? 2 : 1;
      const p = this.#next();
      if (p.kind !== 'string') throw new WqlSyntaxError('LIKE needs a string pattern', p.pos);
      return { kind: 'like', property: left.name, pattern: String(p.value), negated: notLike };
    }
    const op = this.#next();
    if (op.kind !== 'op') throw new WqlSyntaxError(`Expected a comparison operator but found ${op.kind === 'eof' ? 'end of query' : JSON.stringify(op.text)}`, op.pos);
    const right = this.#operand();
    if (left.kind === 'literal' && right.kind === 'literal') throw new WqlSyntaxError('A comparison needs at least one property', op.pos);
    return { kind: 'compare', op: OP_CANONICAL[op.text]!, left, right };
  }
}

export function parseWql(text: string): WqlQuery {
  return new Parser(tokenize(text)).query();
}

/** Every property name the query mentions (SELECT list and WHERE), for validation against the class. */
export function referencedProperties(q: WqlQuery): string[] {
  const out = [...(q.properties ?? [])];
  const walk = (c: WqlCondition | undefined): void => {
    if (!c) return;
    switch (c.kind) {
      case 'and':
      case 'or':
        walk(c.left);
        walk(c.right);
        break;
      case 'not':
        walk(c.operand);
        break;
      case 'compare':
        for (const o of [c.left, c.right]) if (o.kind === 'property') out.push(o.name);
        break;
      case 'like':
      case 'isNull':
        out.push(c.property);
        break;
    }
  };
  walk(q.where);
  return out;
}

/** Look up a property value by name, case-insensitively; undefined when the row has no such property. */
export type PropertyLookup = (name: string) => PropValue | undefined;

export function rowLookup(row: Readonly<Record<string, PropValue>>): PropertyLookup {
  const lower = new Map(Object.entries(row).map(([k, v]) => [k.toLowerCase(), v]));
  return (name) => lower.get(name.toLowerCase());
}

/** DMTF datetime (yyyymmddHHMMSS.mmmmmm+000) so timestamps compare with string literals as WMI does. */
function dmtf(d: Date): string {
  const p = (n: number, w: number): string => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1, 2)}${p(d.getUTCDate(), 2)}${p(d.getUTCHours(), 2)}${p(d.getUTCMinutes(), 2)}${p(d.getUTCSeconds(), 2)}.${p(d.getUTCMilliseconds() * 1000, 6)}+000`;
}

type Scalar = string | number | boolean | null;

function scalar(v: PropValue | undefined): Scalar | undefined {
  if (v === undefined) return undefined;
  if (v instanceof Date) return dmtf(v);
  if (Array.isArray(v)) return undefined; // WQL cannot compare arrays
  return v as Scalar;
}

function operandValue(o: WqlOperand, lookup: PropertyLookup): Scalar | undefined {
  return o.kind === 'literal' ? o.value : scalar(lookup(o.name));
}

const ORDER_TESTS: Readonly<Record<CompareOp, (c: number) => boolean>> = {
  '=': (c) => c === 0,
  '<>': (c) => c !== 0,
  '<': (c) => c < 0,
  '>': (c) => c > 0,
  '<=': (c) => c <= 0,
  '>=': (c) => c >= 0,
};

/** -1/0/1, or undefined when the two values cannot be compared. */
function compareValues(a: Exclude<Scalar, null>, b: Exclude<Scalar, null>): number | undefined {
  if (typeof a === 'string' && typeof b === 'string') {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = Number(a);
  const y = Number(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return undefined;
  return x < y ? -1 : x > y ? 1 : 0;
}

const isNullLiteral = (o: WqlOperand): boolean => o.kind === 'literal' && o.value === null;

function compare(c: Extract<WqlCondition, { kind: 'compare' }>, lookup: PropertyLookup): boolean {
  const a = operandValue(c.left, lookup);
  const b = operandValue(c.right, lookup);
  // "X = NULL" and "X <> NULL" are WQL spellings of IS [NOT] NULL.
  if (isNullLiteral(c.left) || isNullLiteral(c.right)) {
    const isNull = (isNullLiteral(c.left) ? b : a) == null;
    return c.op === '=' ? isNull : c.op === '<>' ? !isNull : false;
  }
  // Any other comparison with a NULL (or missing) value is false.
  if (a === undefined || b === undefined || a === null || b === null) return false;
  const order = compareValues(a, b);
  return order !== undefined && ORDER_TESTS[c.op](order);
}

/** LIKE pattern to a case-insensitive RegExp: % any run, _ one character, [abc] / [a-z] / [^…] a set. */
export function likeToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let set = pattern.slice(i + 1, end);
      const negate = set.startsWith('^');
      if (negate) set = set.slice(1);
      re += `[${negate ? '^' : ''}${set.replace(/[\\\]]/g, '\\$&')}]`;
      i = end;
    } else re += c.replace(/[.*+?^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'iu');
}

export function evaluateCondition(c: WqlCondition, lookup: PropertyLookup): boolean {
  switch (c.kind) {
    case 'and':
      return evaluateCondition(c.left, lookup) && evaluateCondition(c.right, lookup);
    case 'or':
      return evaluateCondition(c.left, lookup) || evaluateCondition(c.right, lookup);
    case 'not':
      return !evaluateCondition(c.operand, lookup);
    case 'compare':
      return compare(c, lookup);
    case 'isNull': {
      const v = lookup(c.property);
      const isNull = v === null || v === undefined;
      return c.negated ? !isNull : isNull;
    }
    case 'like': {
      const v = scalar(lookup(c.property));
      if (v === null || v === undefined) return false;
      const m = likeToRegExp(c.pattern).test(String(v));
      return c.negated ? !m : m;
    }
  }
}

/** True when the row satisfies the query's WHERE clause (or there is none). */
export function matchesQuery(q: WqlQuery, lookup: PropertyLookup): boolean {
  return q.where === undefined || evaluateCondition(q.where, lookup);
}
