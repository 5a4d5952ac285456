/**
 * Reads what OMI's own client prints (`omicli ei|gi|iv`): blocks of
 *   instance of CLASS
 *   {
 *       [Key] Name=value
 *       Name=NULL
 *       Embedded=    instance of OTHER { ... }
 *       Ref= REF     instance of OTHER { ... }      (a reference: its keys)
 *       Array=
 *       {
 *           instance of OTHER { ... }      (or one scalar per line)
 *       }
 *   }
 * into the same { className, properties } shape our CLI's --json prints (values as strings, NULL as null).
 */
export interface OmicliInstance {
  readonly className: string;
  readonly properties: Record<string, OmicliValue>;
}
export type OmicliValue = string | null | OmicliInstance | OmicliValue[];

class Lines {
  private i = 0;
  constructor(private readonly lines: readonly string[]) {}
  peek(): string | undefined {
    while (this.i < this.lines.length && this.lines[this.i]!.trim() === '') this.i++;
    return this.lines[this.i]?.trim();
  }
  next(): string {
    const l = this.peek();
    if (l === undefined) throw new Error('omicli output ended early');
    this.i++;
    return l;
  }
  expect(text: string): void {
    const l = this.next();
    if (l !== text) throw new Error(`omicli output: expected "${text}", got "${l}"`);
  }
}

function instanceBody(lines: Lines, className: string): OmicliInstance {
  lines.expect('{');
  const properties: Record<string, OmicliValue> = {};
  for (let l = lines.next(); l !== '}'; l = lines.next()) {
    const m = /^(?:\[Key\]\s*)?([A-Za-z_][\w]*)=(.*)$/.exec(l);
    if (!m) throw new Error(`omicli output: unexpected line "${l}"`);
    const [, name, rest] = m as unknown as [string, string, string];
    const value = rest.trim();
    const embedded = /^(?:REF\s+)?instance of (\w+)$/.exec(value);
    if (embedded) properties[name] = instanceBody(lines, embedded[1]!);
    else if (value === '' && lines.peek() === '{') properties[name] = arrayBody(lines);
    else properties[name] = value === 'NULL' ? null : value;
  }
  return { className, properties };
}

function arrayBody(lines: Lines): OmicliValue[] {
  lines.expect('{');
  const items: OmicliValue[] = [];
  for (let l = lines.next(); l !== '}'; l = lines.next()) {
    const embedded = /^(?:REF\s+)?instance of (\w+)$/.exec(l);
    items.push(embedded ? instanceBody(lines, embedded[1]!) : l.replace(/,$/, ''));
  }
  return items;
}

/** Every top-level instance in omicli's output. */
export function parseOmicli(stdout: string): OmicliInstance[] {
  const lines = new Lines(stdout.split('\n'));
  const out: OmicliInstance[] = [];
  for (let l = lines.peek(); l !== undefined; l = lines.peek()) {
    const m = /^instance of (\w+)$/.exec(lines.next());
    if (!m) throw new Error(`omicli output: expected "instance of CLASS", got "${l}"`);
    out.push(instanceBody(lines, m[1]!));
  }
  return out;
}

/** Our CLI's JSON instance ({ className, properties, valueMapNames }) reduced to the omicli shape. */
export function fromCliJson(doc: unknown): OmicliValue {
  if (doc === null || typeof doc !== 'object') return doc === null ? null : String(doc);
  if (Array.isArray(doc)) return doc.map(fromCliJson);
  const o = doc as { className?: string; properties?: Record<string, unknown> };
  if (typeof o.className !== 'string' || o.properties === undefined) throw new Error(`not an instance document: ${JSON.stringify(doc).slice(0, 200)}`);
  const properties: Record<string, OmicliValue> = {};
  for (const [k, v] of Object.entries(o.properties)) properties[k] = fromCliJson(v);
  return { className: o.className, properties };
}
