// `kuray validate -f FILE…`: checks every object of multi-document YAML files (`-` reads stdin) the
// way the API server and the operator would, and prints one line per finding:
//
//   file: Kind/name: error|warning|info: path: message (hint)
//
// Exit status 1 when any object has an error (or a file cannot be read or parsed), else 0: warnings
// describe specs that are accepted but will not work as intended, infos are worth knowing.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  parseFeatureGates,
  validateAll,
  type FeatureGates,
  type Issue,
  type ValidationResult,
} from '../../api/validation/index.ts';
import { parseYamlStream } from '../../util/yaml.ts';

export interface ValidateReport {
  lines: string[];
  objects: number;
  errors: number;
  warnings: number;
}

function label(v: unknown, index: number): string {
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const meta = (typeof o.metadata === 'object' && o.metadata !== null ? o.metadata : {}) as Record<
    string,
    unknown
  >;
  const kind = typeof o.kind === 'string' && o.kind !== '' ? o.kind : `document ${index + 1}`;
  return typeof meta.name === 'string' && meta.name !== '' ? `${kind}/${meta.name}` : kind;
}

function line(prefix: string, level: string, i: Issue): string {
  return `${prefix}: ${level}: ${i.path === '' ? '' : `${i.path}: `}${i.message} (${i.hint})`;
}

export interface ValidatedDocument {
  /** "Kind/name", or "document N" when the kind is missing. */
  label: string;
  value: unknown;
  result: ValidationResult;
}

/** Parses and validates one YAML stream; pure. Shared by `kuray validate` and the console. */
export function validateYamlDocuments(
  text: string,
  source: string,
  featureGates?: FeatureGates,
): ValidatedDocument[] {
  // `kubectl get -o yaml` of several objects writes one `kind: List`; check its items.
  const docs = parseYamlStream(text, source).flatMap((d) => {
    const v = d.value as { kind?: unknown; items?: unknown };
    return v.kind === 'List' && Array.isArray(v.items)
      ? v.items.map((value: unknown) => ({ index: d.index, value }))
      : [d];
  });
  const results = validateAll(
    docs.map((d) => d.value),
    { featureGates },
  );
  return docs.map((doc, i) => ({
    label: label(doc.value, doc.index),
    value: doc.value,
    result: results[i]!,
  }));
}

/** Validates one YAML stream; pure (the caller reads the file). */
export function validateYaml(text: string, source: string, featureGates?: FeatureGates): ValidateReport {
  const report: ValidateReport = { lines: [], objects: 0, errors: 0, warnings: 0 };
  for (const { label: l, result: r } of validateYamlDocuments(text, source, featureGates)) {
    const prefix = `${source}: ${l}`;
    report.objects++;
    report.errors += r.errors.length;
    report.warnings += r.warnings.length;
    for (const e of r.errors) report.lines.push(line(prefix, 'error', e));
    for (const w of r.warnings) report.lines.push(line(prefix, 'warning', w));
    for (const n of r.infos) report.lines.push(line(prefix, 'info', n));
    if (r.errors.length + r.warnings.length + r.infos.length === 0) report.lines.push(`${prefix}: ok`);
  }
  return report;
}

export function register(program: Command): void {
  program
    .command('validate')
    .description(
      'check ray.io/v1 objects (and Services/NetworkPolicies around them): errors, warnings, hints',
    )
    .requiredOption('-f, --filename <files...>', 'YAML file(s), multi-document allowed; - reads stdin')
    .option(
      '--feature-gates <gates>',
      "the operator's feature gates, e.g. RayClusterNetworkPolicy=true (default: KubeRay v1.7.0's defaults)",
    )
    .action((opts: { filename: string[]; featureGates?: string }) => {
      let gates: FeatureGates | undefined;
      try {
        gates = opts.featureGates === undefined ? undefined : parseFeatureGates(opts.featureGates);
      } catch (err) {
        process.stderr.write(`kuray validate: --feature-gates: ${(err as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      let failed = false;
      let objects = 0;
      let errors = 0;
      let warnings = 0;
      for (const file of opts.filename) {
        const source = file === '-' ? '<stdin>' : file;
        let report: ValidateReport;
        try {
          report = validateYaml(readFileSync(file === '-' ? 0 : file, 'utf8'), source, gates);
        } catch (err) {
          process.stdout.write(`${source}: error: ${(err as Error).message}\n`);
          failed = true;
          continue;
        }
        if (report.lines.length > 0) process.stdout.write(report.lines.join('\n') + '\n');
        objects += report.objects;
        errors += report.errors;
        warnings += report.warnings;
      }
      if (errors > 0) failed = true;
      process.stderr.write(`${objects} object(s): ${errors} error(s), ${warnings} warning(s)\n`);
      process.exitCode = failed ? 1 : 0;
    });
}
