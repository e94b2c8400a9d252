// `kuray render -f FILE…`: every object the operator would create for each RayCluster in the files,
// worker pods included, as one multi-document YAML stream (like `helm template`). Other documents are
// skipped with a note on stderr. `-` reads stdin.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { RayCluster } from '../../api/v1/index.ts';
import { compileOptionsFromEnv, renderCluster, type KubeObject } from '../../compiler/index.ts';
import { parseYamlStream, toYamlStream } from '../../util/yaml.ts';

export interface RenderResult {
  objects: KubeObject[];
  /** One line per skipped or failed document, for stderr. */
  notes: string[];
  /** True when a RayCluster could not be rendered (exit 1). */
  failed: boolean;
}

function describe(v: unknown): { kind: string; apiVersion: string; name: string } {
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const meta = (typeof o.metadata === 'object' && o.metadata !== null ? o.metadata : {}) as Record<
    string,
    unknown
  >;
  const str = (x: unknown) => (typeof x === 'string' ? x : '');
  return { kind: str(o.kind), apiVersion: str(o.apiVersion), name: str(meta.name) };
}

/** Renders every RayCluster of a YAML stream; pure apart from the options it is given. */
export function renderYaml(
  text: string,
  source: string,
  env: Readonly<Record<string, string | undefined>> = {},
): RenderResult {
  const out: RenderResult = { objects: [], notes: [], failed: false };
  const options = compileOptionsFromEnv(env);
  for (const doc of parseYamlStream(text, source)) {
    const { kind, apiVersion, name } = describe(doc.value);
    const where = `${source}: document ${doc.index + 1}`;
    if (kind !== 'RayCluster' || apiVersion !== 'ray.io/v1') {
      out.notes.push(
        `${where}: skipping ${kind || 'untyped document'}${name ? `/${name}` : ''} (only ray.io/v1 RayCluster is rendered)`,
      );
      continue;
    }
    try {
      out.objects.push(...renderCluster(doc.value as RayCluster, options));
    } catch (err) {
      // The compiler assumes a valid spec; `kuray validate` says what is wrong with this one.
      out.failed = true;
      out.notes.push(
        `${where}: RayCluster/${name}: cannot render: ${(err as Error).message} (run \`kuray validate -f ${source}\`)`,
      );
    }
  }
  return out;
}

function readSource(file: string): string {
  return readFileSync(file === '-' ? 0 : file, 'utf8');
}

export function register(program: Command): void {
  program
    .command('render')
    .description(
      'print, as multi-document YAML, every object the operator would create for each RayCluster (pods included)',
    )
    .requiredOption('-f, --filename <files...>', 'YAML file(s) with RayCluster objects; - reads stdin')
    .action((opts: { filename: string[] }) => {
      const objects: KubeObject[] = [];
      let failed = false;
      for (const file of opts.filename) {
        let result: RenderResult;
        try {
          result = renderYaml(readSource(file), file === '-' ? '<stdin>' : file, process.env);
        } catch (err) {
          process.stderr.write(`kuray render: ${(err as Error).message}\n`);
          failed = true;
          continue;
        }
        for (const n of result.notes) process.stderr.write(`${n}\n`);
        objects.push(...result.objects);
        failed ||= result.failed;
      }
      process.stdout.write(toYamlStream(objects));
      if (failed) process.exitCode = 1;
    });
}
