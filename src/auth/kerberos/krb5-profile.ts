/**
 * The MIT "profile" syntax that krb5.conf is written in: `[section]` headers, `tag = value`
 * relations, `tag = { ... }` subsections, `#`/`;` comment lines, `*` marking a value final, and
 * `include` / `includedir` directives [krb5 doc/admin/conf_files/krb5_conf.rst "Structure"].
 * This module only parses and looks up; krb5-conf.ts gives the relations their meaning.
 *
 * Bounds: each file at most MAX_PROFILE_FILE_BYTES, at most MAX_PROFILE_FILES files (includes
 * counted), include depth MAX_INCLUDE_DEPTH, brace depth MAX_BRACE_DEPTH. Every violation is a
 * Krb5ConfigError naming the file and line.
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { Krb5ConfigError } from '../../errors.js';

export const MAX_PROFILE_FILE_BYTES = 1024 * 1024;
export const MAX_PROFILE_FILES = 64;
export const MAX_INCLUDE_DEPTH = 8;
export const MAX_BRACE_DEPTH = 16;

/** One `name = value` or `name = { ... }` line; `final` is the `*` suffix. */
export interface ProfileRelation {
  readonly name: string;
  readonly value: string | ProfileNode;
  readonly final: boolean;
  readonly file: string;
  readonly line: number;
}

export interface ProfileNode {
  readonly relations: ProfileRelation[];
}

export interface ProfileSection {
  readonly name: string;
  readonly body: ProfileNode;
  readonly final: boolean;
  /** Position of the file in the search order (0 = first file of KRB5_CONFIG); includes share their parent's. */
  readonly fileIndex: number;
  readonly file: string;
  readonly line: number;
}

export interface Krb5Profile {
  /** Files actually read, in order (includes included ones). */
  readonly files: readonly string[];
  readonly sections: readonly ProfileSection[];
}

/** File-system access, injectable for tests. */
export interface ProfileFs {
  readFile(path: string): Buffer;
  /** Entry names of a directory. */
  readDir(path: string): string[];
  /** Canonical path, used to refuse include cycles. */
  realPath(path: string): string;
  size(path: string): number;
}

export const nodeProfileFs: ProfileFs = {
  readFile: (p) => readFileSync(p),
  readDir: (p) => readdirSync(p),
  realPath: (p) => realpathSync(p),
  size: (p) => statSync(p).size,
};

interface ParseState {
  readonly fs: ProfileFs;
  readonly files: string[];
  readonly sections: ProfileSection[];
  readonly seen: Set<string>;
}

/** Parses profile text (one file); `include` directives are refused here (no file system). */
export function parseProfileText(text: string, file = '<krb5.conf>'): Krb5Profile {
  if (text.length > MAX_PROFILE_FILE_BYTES) throw new Krb5ConfigError(file, 0, `exceeds the ${MAX_PROFILE_FILE_BYTES}-byte limit for a krb5 configuration file.`);
  const sections: ProfileSection[] = [];
  parseInto(text, file, 0, sections, () => {
    throw new Krb5ConfigError(file, 0, 'include/includedir needs a file system; use loadProfile.');
  });
  return { files: [file], sections };
}

/**
 * Reads `files` in order (the KRB5_CONFIG list). Missing files are skipped, as MIT does; any other
 * read failure is an error. Later files only add values: lookups take the first file's value first.
 */
export function loadProfile(files: readonly string[], fs: ProfileFs = nodeProfileFs): Krb5Profile {
  const state: ParseState = { fs, files: [], sections: [], seen: new Set() };
  files.forEach((file, index) => {
    let size: number;
    try {
      size = fs.size(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new Krb5ConfigError(file, 0, `cannot read (${(err as Error).message}).`, { cause: err });
    }
    loadFile(state, file, size, index, 0, file, 0);
  });
  return { files: state.files, sections: state.sections };
}

function loadFile(state: ParseState, file: string, size: number, fileIndex: number, depth: number, fromFile: string, fromLine: number): void {
  const where = (msg: string) => new Krb5ConfigError(fromFile, fromLine, msg);
  if (state.files.length >= MAX_PROFILE_FILES) throw where(`more than ${MAX_PROFILE_FILES} configuration files (includes counted).`);
  if (size > MAX_PROFILE_FILE_BYTES) throw new Krb5ConfigError(file, 0, `${size} bytes exceeds the ${MAX_PROFILE_FILE_BYTES}-byte limit for a krb5 configuration file.`);
  let real: string;
  let bytes: Buffer;
  try {
    real = state.fs.realPath(file);
    bytes = state.fs.readFile(file);
  } catch (err) {
    throw new Krb5ConfigError(file, 0, `cannot read (${(err as Error).message}).`, { cause: err });
  }
  if (bytes.length > MAX_PROFILE_FILE_BYTES) throw new Krb5ConfigError(file, 0, `exceeds the ${MAX_PROFILE_FILE_BYTES}-byte limit for a krb5 configuration file.`);
  if (state.seen.has(real)) throw where(`include cycle: ${file} is already being read.`);
  state.seen.add(real);
  state.files.push(file);
  parseInto(bytes.toString('utf8'), file, fileIndex, state.sections, (kind, target, line) => {
    if (depth + 1 > MAX_INCLUDE_DEPTH) throw new Krb5ConfigError(file, line, `includes nested deeper than ${MAX_INCLUDE_DEPTH}.`);
    if (!isAbsolute(target)) throw new Krb5ConfigError(file, line, `${kind} needs an absolute path, got "${target}".`);
    if (kind === 'include') {
      let includedSize: number;
      try {
        includedSize = state.fs.size(target);
      } catch (err) {
        throw new Krb5ConfigError(file, line, `cannot read included file ${target} (${(err as Error).message}).`, { cause: err });
      }
      loadFile(state, target, includedSize, fileIndex, depth + 1, file, line);
      return;
    }
    let names: string[];
    try {
      names = state.fs.readDir(target);
    } catch (err) {
      throw new Krb5ConfigError(file, line, `cannot read included directory ${target} (${(err as Error).message}).`, { cause: err });
    }
    // MIT reads names made of alphanumerics, '-' and '_', or ending in ".conf", never dot files, sorted.
    for (const name of names.filter(includedDirName).sort()) {
      const path = join(target, name);
      let s: number;
      try {
        s = state.fs.size(path);
      } catch {
        continue;
      }
      loadFile(state, path, s, fileIndex, depth + 1, file, line);
    }
  });
  state.seen.delete(real);
}

function includedDirName(name: string): boolean {
  if (name.startsWith('.')) return false;
  return /^[A-Za-z0-9_-]+$/.test(name) || name.endsWith('.conf');
}

type IncludeHandler = (kind: 'include' | 'includedir', target: string, line: number) => void;

function parseInto(text: string, file: string, fileIndex: number, sections: ProfileSection[], onInclude: IncludeHandler): void {
  const lines = text.split(/\r?\n/);
  let current: ProfileNode | undefined;
  const stack: ProfileNode[] = [];
  const openedAt: number[] = [];
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const fail = (msg: string): never => {
      throw new Krb5ConfigError(file, lineNo, msg);
    };
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const directive = /^(include|includedir)\s+(.+)$/.exec(raw.trimEnd());
    if (directive && /^\S/.test(raw)) {
      onInclude(directive[1] as 'include' | 'includedir', directive[2]!.trim(), lineNo);
      return;
    }
    if (line.startsWith('[')) {
      if (stack.length > 0) fail(`section header inside the "{" opened on line ${openedAt[openedAt.length - 1]}; add the missing "}".`);
      const close = line.indexOf(']');
      if (close < 0) fail('section header without "]".');
      const name = line.slice(1, close).trim();
      if (name === '') fail('empty section name.');
      const body: ProfileNode = { relations: [] };
      sections.push({ name, body, final: line.slice(close + 1).trim().startsWith('*'), fileIndex, file, line: lineNo });
      current = body;
      return;
    }
    // Text before the first section header is a comment in MIT's parser (STATE_INIT_COMMENT).
    if (current === undefined) return;
    if (line.startsWith('}')) {
      const closed = stack.pop();
      openedAt.pop();
      if (closed === undefined) fail('"}" without a matching "{".');
      current = closed;
      if (line.slice(1).trim().startsWith('*')) {
        const last = current!.relations[current!.relations.length - 1];
        if (last) (current!.relations as ProfileRelation[])[current!.relations.length - 1] = { ...last, final: true };
      }
      return;
    }
    const m = /^([^\s=]+?)(\*)?\s*=\s*(.*)$/.exec(line);
    if (!m) fail(`expected "name = value", "name = {", "}" or "[section]", got "${excerpt(line)}".`);
    const name = m![1]!;
    const final = m![2] === '*';
    const rest = m![3]!;
    if (rest === '{' || (rest.startsWith('{') && rest.slice(1).trim() === '')) {
      if (stack.length >= MAX_BRACE_DEPTH) fail(`subsections nested deeper than ${MAX_BRACE_DEPTH}.`);
      const node: ProfileNode = { relations: [] };
      current.relations.push({ name, value: node, final, file, line: lineNo });
      stack.push(current);
      openedAt.push(lineNo);
      current = node;
      return;
    }
    const value = rest.startsWith('"') ? unquote(rest, fail) : rest;
    current.relations.push({ name, value, final, file, line: lineNo });
  });
  if (stack.length > 0) throw new Krb5ConfigError(file, openedAt[openedAt.length - 1]!, '"{" is never closed; add the missing "}".');
}

/** MIT parse_quoted_string: `\n`, `\t`, `\b` and `\<c>` = c; the value ends at the closing quote. */
function unquote(rest: string, fail: (msg: string) => never): string {
  let out = '';
  for (let i = 1; i < rest.length; i++) {
    const c = rest[i]!;
    if (c === '"') return out;
    if (c === '\\' && i + 1 < rest.length) {
      const e = rest[++i]!;
      out += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'b' ? '\b' : e;
    } else {
      out += c;
    }
  }
  return fail('quoted value without a closing quote.');
}

function excerpt(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

/** A value with where it came from, for error messages that point at the line. */
export interface ProfileValue {
  readonly value: string;
  readonly file: string;
  readonly line: number;
}

/**
 * All string values at `path` (section, then subsection names, then the relation name), in lookup
 * order: file order, then line order. A final (`*`) section or relation hides later files.
 */
export function profileValues(profile: Krb5Profile, path: readonly string[]): ProfileValue[] {
  return profileMatches(profile, path).flatMap((r) => (typeof r.value === 'string' ? [{ value: r.value, file: r.file, line: r.line }] : []));
}

/** Subsections at `path` (e.g. ['realms'] gives every realm's `{ ... }`), with their names. */
export function profileSubsections(profile: Krb5Profile, path: readonly string[]): Array<{ name: string; node: ProfileNode }> {
  const [sectionName, ...rest] = path;
  if (sectionName === undefined) return [];
  const out: Array<{ name: string; node: ProfileNode }> = [];
  for (const { node } of sectionNodes(profile, sectionName)) {
    let nodes: ProfileNode[] = [node];
    for (const part of rest) nodes = nodes.flatMap((n) => n.relations.filter((r) => r.name === part && typeof r.value !== 'string').map((r) => r.value as ProfileNode));
    for (const n of nodes) for (const r of n.relations) if (typeof r.value !== 'string') out.push({ name: r.name, node: r.value });
  }
  return out;
}

/** String relations directly inside `section` (e.g. every `[domain_realm]` mapping). */
export function profileSectionRelations(profile: Krb5Profile, section: string): ProfileRelation[] {
  return sectionNodes(profile, section).flatMap(({ node }) => node.relations.filter((r) => typeof r.value === 'string'));
}

function sectionNodes(profile: Krb5Profile, name: string): Array<{ node: ProfileNode; fileIndex: number }> {
  const out: Array<{ node: ProfileNode; fileIndex: number }> = [];
  let stopAfter = Infinity;
  for (const s of profile.sections) {
    if (s.name !== name || s.fileIndex > stopAfter) continue;
    out.push({ node: s.body, fileIndex: s.fileIndex });
    if (s.final) stopAfter = s.fileIndex;
  }
  return out;
}

function profileMatches(profile: Krb5Profile, path: readonly string[]): ProfileRelation[] {
  const [sectionName, ...rest] = path;
  if (sectionName === undefined || rest.length === 0) return [];
  const out: ProfileRelation[] = [];
  let stopAfter = Infinity;
  for (const { node, fileIndex } of sectionNodes(profile, sectionName)) {
    if (fileIndex > stopAfter) break;
    let nodes: ProfileNode[] = [node];
    for (const part of rest.slice(0, -1)) {
      nodes = nodes.flatMap((n) =>
        n.relations.filter((r) => r.name === part && typeof r.value !== 'string').map((r) => {
          if (r.final) stopAfter = Math.min(stopAfter, fileIndex);
          return r.value as ProfileNode;
        }),
      );
    }
    const last = rest[rest.length - 1]!;
    for (const n of nodes) {
      for (const r of n.relations) {
        if (r.name !== last) continue;
        out.push(r);
        if (r.final) stopAfter = Math.min(stopAfter, fileIndex);
      }
    }
  }
  return out;
}
