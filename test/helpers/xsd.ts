/**
 * XML Schema validation with libxml2 compiled to WebAssembly (libxml2-wasm, a dev dependency), so
 * the schema tests need nothing outside npm. It is the same validator as Debian's xmllint, run in
 * process: the schema files are served from memory (an input provider), so a schema can import or
 * include only files of its own folder, and nothing is read from the network.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XmlBufferInputProvider, XmlDocument, XmlLibError, XsdValidator, xmlRegisterInputProvider } from 'libxml2-wasm';

/** What a validation came to: the xmllint exit codes 0, 1, 3 and 5, by name. */
export type LintStatus = 'valid' | 'not-well-formed' | 'invalid' | 'schema-broken';

export interface LintResult {
  readonly status: LintStatus;
  /** libxml2's diagnostics, one per line (empty when valid). */
  readonly messages: string;
}

const served = new Set<string>();
const provider = new XmlBufferInputProvider({});
xmlRegisterInputProvider(provider);

/** Make every file of `dir` readable by libxml2 under its absolute path (for xs:import/xs:include). */
function serveFolder(dir: string): void {
  if (served.has(dir)) return;
  for (const f of readdirSync(dir)) {
    if (f.endsWith('.xsd') || f.endsWith('.wsdl')) provider.addBuffer(join(dir, f), new Uint8Array(readFileSync(join(dir, f))));
  }
  served.add(dir);
}

function detailsOf(err: unknown): string {
  if (err instanceof XmlLibError) return err.details.map((d) => `${d.file ?? ''}:${d.line}: ${d.message.trim()}`).join('\n');
  throw err;
}

function parse(xml: string | Uint8Array, url: string): XmlDocument | LintResult {
  try {
    return typeof xml === 'string' ? XmlDocument.fromString(xml, { url }) : XmlDocument.fromBuffer(xml, { url });
  } catch (err) {
    return { status: 'not-well-formed', messages: detailsOf(err) };
  }
}

const validators = new Map<string, XsdValidator | LintResult>();

/** The compiled schema at an absolute path (compiled once), or why it did not compile. */
function validatorFor(schemaPath: string): XsdValidator | LintResult {
  const cached = validators.get(schemaPath);
  if (cached) return cached;
  serveFolder(join(schemaPath, '..'));
  const doc = parse(readFileSync(schemaPath), schemaPath);
  let out: XsdValidator | LintResult;
  if (!(doc instanceof XmlDocument)) out = { status: 'schema-broken', messages: doc.messages };
  else {
    try {
      out = XsdValidator.fromDoc(doc);
    } catch (err) {
      out = { status: 'schema-broken', messages: detailsOf(err) };
    } finally {
      doc.dispose();
    }
  }
  validators.set(schemaPath, out);
  return out;
}

/** Is `xml` well-formed? (`xmllint --noout file`) */
export function checkWellFormed(xml: string | Uint8Array, name = 'document.xml'): LintResult {
  const doc = parse(xml, name);
  if (!(doc instanceof XmlDocument)) return doc;
  doc.dispose();
  return { status: 'valid', messages: '' };
}

/** Validate `xml` against the schema file at `schemaPath` (`xmllint --noout --schema schema file`). */
export function validateXsd(schemaPath: string, xml: string | Uint8Array, name = 'document.xml'): LintResult {
  const validator = validatorFor(schemaPath);
  if (!(validator instanceof XsdValidator)) return validator;
  const doc = parse(xml, name);
  if (!(doc instanceof XmlDocument)) return doc;
  try {
    validator.validate(doc);
    return { status: 'valid', messages: '' };
  } catch (err) {
    return { status: 'invalid', messages: detailsOf(err) };
  } finally {
    doc.dispose();
  }
}
