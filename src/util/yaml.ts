// YAML in and out the way kubectl sees it.
//
// kubectl (sigs.k8s.io/yaml) reads YAML 1.1, where `yes`, `on`, `y` are booleans. The `yaml`
// package's default is 1.2, which would *write* such strings unquoted and so change their meaning for
// kubectl; writing with version 1.1 quotes them. Reading with 1.1 matches what kubectl would apply.
import {
  parseAllDocuments,
  stringify,
  type DocumentOptions,
  type ParseOptions,
  type SchemaOptions,
} from 'yaml';

const opts: DocumentOptions & ParseOptions & SchemaOptions = { version: '1.1' };
export const MAX_ALIAS_COUNT = 100;

export interface YamlDoc {
  /** 0-based index of the document in its stream. */
  index: number;
  /** Parsed value; null for an empty document. */
  value: unknown;
}

export class YamlError extends Error {
  readonly source: string;
  readonly docIndex: number;
  constructor(source: string, docIndex: number, message: string) {
    super(`${source}: document ${docIndex + 1}: ${message}`);
    this.name = 'YamlError';
    this.source = source;
    this.docIndex = docIndex;
  }
}

/** Parses a multi-document YAML stream; empty documents are dropped, syntax errors throw YamlError. */
export function parseYamlStream(text: string, source = '<input>'): YamlDoc[] {
  const docs = parseAllDocuments(text, opts);
  const out: YamlDoc[] = [];
  docs.forEach((doc, index) => {
    const err = doc.errors[0];
    if (err) throw new YamlError(source, index, err.message);
    let value: unknown;
    try {
      // The library's default bound (100): aliases beyond it expand a few KiB of YAML into
      // hundreds of MiB ("billion laughs"); kubectl's reader refuses such documents too.
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      throw new YamlError(source, index, (e as Error).message);
    }
    if (value !== null && value !== undefined) out.push({ index, value });
  });
  return out;
}

/** One YAML document, quoted for YAML 1.1 readers. */
export function toYaml(value: unknown): string {
  return stringify(value, { ...opts, lineWidth: 0, aliasDuplicateObjects: false });
}

/** A multi-document stream (`---` separated), as `helm template` prints. */
export function toYamlStream(values: readonly unknown[]): string {
  return values.map((v) => '---\n' + toYaml(v)).join('');
}
