// What validation reports. One Issue per problem, addressed by the field path a user sees in YAML
// (`spec.workerGroupSpecs[0].minReplicas`), saying what is wrong and how to fix it. The same values
// serve `kuray validate`, the admission webhook (errors deny, warnings become admission warnings) and
// the controllers (errors become events and a ValidationFailed status).

export interface Issue {
  /** Field path, e.g. `spec.workerGroupSpecs[0].minReplicas`; '' for the object as a whole. */
  path: string;
  /** What is wrong. */
  message: string;
  /** How to fix it. */
  hint: string;
}

export interface ValidationResult {
  /** The object would be rejected (by the apiserver, by the CRD schema or by the operator). */
  errors: Issue[];
  /** Accepted, but will not work as intended. */
  warnings: Issue[];
  /** Worth knowing, nothing wrong (e.g. a Secret referenced from another file, an unknown kind). */
  infos: Issue[];
}

/** Collects issues while walking one object. */
export class Report {
  readonly errors: Issue[] = [];
  readonly warnings: Issue[] = [];
  readonly infos: Issue[] = [];

  error(path: string, message: string, hint: string): void {
    this.errors.push({ path, message, hint });
  }

  warn(path: string, message: string, hint: string): void {
    this.warnings.push({ path, message, hint });
  }

  info(path: string, message: string, hint: string): void {
    this.infos.push({ path, message, hint });
  }

  result(): ValidationResult {
    return { errors: [...this.errors], warnings: [...this.warnings], infos: [...this.infos] };
  }
}

const SIMPLE_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** Appends a key or an index to a field path: `a.b`, `a[0]`, `a["nvidia.com/gpu"]`. */
export function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (SIMPLE_KEY.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/** A JSON pointer (`/spec/workerGroupSpecs/0/minReplicas`) as a field path. */
export function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<string>((p, seg) => at(p, /^(0|[1-9][0-9]*)$/.test(seg) ? Number(seg) : seg), '');
}
