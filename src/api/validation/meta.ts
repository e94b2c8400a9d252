// ObjectMeta as the apiserver checks it (the CRD schema says only `type: object` there, because the
// apiserver owns metadata): string name/namespace, labels and annotations as string maps with valid
// keys and label values.
import { isObj } from './common.ts';
import { at, type Report } from './issue.ts';
import { dns1123Label, labelValue, qualifiedName } from './names.ts';

const STRING_FIELDS = ['name', 'namespace', 'generateName', 'uid', 'resourceVersion'];

export function checkObjectMeta(meta: unknown, r: Report): void {
  if (meta === undefined) return;
  if (!isObj(meta)) {
    r.error('metadata', 'metadata must be a mapping', 'write metadata: {name: ..., namespace: ...}');
    return;
  }
  for (const f of STRING_FIELDS) {
    const v = meta[f];
    if (v !== undefined && typeof v !== 'string')
      r.error(at('metadata', f), `${f} must be a string, got ${JSON.stringify(v)}`, `quote the ${f}`);
  }
  if (typeof meta.namespace === 'string' && meta.namespace !== '') {
    for (const m of dns1123Label(meta.namespace))
      r.error(
        'metadata.namespace',
        `namespace ${JSON.stringify(meta.namespace)} ${m}`,
        'use an existing namespace name',
      );
  }
  for (const f of ['labels', 'annotations'] as const) {
    const v = meta[f];
    if (v === undefined || v === null) continue;
    const path = at('metadata', f);
    if (!isObj(v)) {
      r.error(path, `${f} must be a mapping of strings`, `write ${f}: {key: "value"}`);
      continue;
    }
    for (const [k, x] of Object.entries(v)) {
      if (typeof x !== 'string')
        r.error(at(path, k), `${f} values must be strings, got ${JSON.stringify(x)}`, 'quote the value');
      for (const m of qualifiedName(k))
        r.error(
          at(path, k),
          `invalid ${f === 'labels' ? 'label' : 'annotation'} key ${JSON.stringify(k)}: ${m}`,
          'use e.g. example.com/team',
        );
      if (f === 'labels' && typeof x === 'string') {
        for (const m of labelValue(x))
          r.error(
            at(path, k),
            `invalid label value ${JSON.stringify(x)}: ${m}`,
            'use at most 63 alphanumerics, "-", "_" or "."',
          );
      }
    }
    if (f === 'annotations' && JSON.stringify(v).length > 256 * 1024) {
      r.error(
        path,
        'annotations are larger than 256 KiB in total',
        'move large data to a ConfigMap (or use kubectl apply --server-side)',
      );
    }
  }
}
