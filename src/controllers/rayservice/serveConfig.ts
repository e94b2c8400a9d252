// serveConfigV2 (a YAML string in the spec) → the JSON body of Serve's PUT. The YAML is read as
// kubectl reads YAML (1.1), and a syntax error keeps the parser's line and column, so the status and
// the Event point at the line to fix.
import { isObj } from '../../api/validation/common.ts';
import { parseYamlStream, YamlError } from '../../util/yaml.ts';

export type ParsedServeConfig = { ok: true; config: Record<string, unknown> } | { ok: false; error: string };

export function parseServeConfig(text: string): ParsedServeConfig {
  let docs;
  try {
    docs = parseYamlStream(text, 'serveConfigV2');
  } catch (err) {
    const msg = err instanceof YamlError ? err.message : String(err);
    return { ok: false, error: `serveConfigV2 is not valid YAML: ${msg}` };
  }
  if (docs.length > 1) {
    return { ok: false, error: 'serveConfigV2 holds several YAML documents; Serve takes one config' };
  }
  const v = docs[0]?.value ?? {};
  if (!isObj(v))
    return { ok: false, error: 'serveConfigV2 is not a YAML mapping (expected applications: [...])' };
  return { ok: true, config: v };
}

/** The config with Serve's target_capacity set (incremental upgrades scale each cluster through it). */
export function withTargetCapacity(
  config: Record<string, unknown>,
  percent: number | undefined,
): Record<string, unknown> {
  return percent === undefined ? config : { ...config, target_capacity: percent };
}
