// Kubernetes name rules (k8s.io/apimachinery/pkg/util/validation), for the names Kuray derives
// objects from. Each returns the problems, [] when valid.

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const IANA_SVC_NAME = /^[-a-z0-9]+$/;

export function dns1123Label(s: string): string[] {
  const out: string[] = [];
  if (s.length > 63) out.push(`must be no more than 63 characters (is ${s.length})`);
  if (!DNS1123_LABEL.test(s)) {
    out.push("must consist of lower case alphanumeric characters or '-', and start and end with one");
  }
  return out;
}

export function dns1035Label(s: string): string[] {
  const out: string[] = [];
  if (s.length > 63) out.push(`must be no more than 63 characters (is ${s.length})`);
  if (!DNS1035_LABEL.test(s)) {
    out.push(
      "must consist of lower case alphanumeric characters or '-', start with a letter and end with an alphanumeric",
    );
  }
  return out;
}

export function dns1123Subdomain(s: string): string[] {
  const out: string[] = [];
  if (s.length > 253) out.push(`must be no more than 253 characters (is ${s.length})`);
  if (!DNS1123_SUBDOMAIN.test(s)) {
    out.push(
      "must consist of lower case alphanumeric characters, '-' or '.', and start and end with an alphanumeric",
    );
  }
  return out;
}

export function labelValue(s: string): string[] {
  const out: string[] = [];
  if (s.length > 63) out.push(`must be no more than 63 characters (is ${s.length})`);
  if (!LABEL_VALUE.test(s)) {
    out.push(
      "must be empty or consist of alphanumerics, '-', '_' or '.', and start and end with an alphanumeric",
    );
  }
  return out;
}

/** A label key: optional DNS-subdomain prefix and '/', then a name of at most 63 characters. */
export function qualifiedName(s: string): string[] {
  const parts = s.split('/');
  if (parts.length > 2) return ["a qualified name must have at most one '/'"];
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  const out: string[] = [];
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix === '') out.push('prefix part must be non-empty');
    else out.push(...dns1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  }
  if (name === '') out.push('name part must be non-empty');
  else {
    if (name.length > 63) out.push(`name part must be no more than 63 characters (is ${name.length})`);
    if (!QUALIFIED_NAME.test(name)) {
      out.push(
        "name part must consist of alphanumerics, '-', '_' or '.', and start and end with an alphanumeric",
      );
    }
  }
  return out;
}

/** A container port name (IANA_SVC_NAME): ≤15 lower-case alphanumerics or '-', a letter, no '--'. */
export function portName(s: string): string[] {
  const out: string[] = [];
  if (s.length > 15) out.push(`must be no more than 15 characters (is ${s.length})`);
  if (!IANA_SVC_NAME.test(s)) out.push("must contain only lower case alphanumerics and '-'");
  if (s.startsWith('-') || s.endsWith('-')) out.push("must not begin or end with '-'");
  if (s.includes('--')) out.push("must not contain '--'");
  if (!/[a-z]/.test(s)) out.push('must contain at least one letter');
  return out;
}
