// Which binaries the rig needs, from which Go module recipe, at which version.
//
// The single source of truth for a version is the `require` line of the recipe's go.mod under
// rig/go/<component>/ (written by rig/go/update-k8s.sh for Kubernetes). The cache directory is keyed
// by that version, so bumping a go.mod is what triggers a rebuild.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const rigRoot = import.meta.dirname;
export const repoRoot = join(rigRoot, '..');
export const goRecipeRoot = join(rigRoot, 'go');

export type BinaryName =
  | 'etcd'
  | 'kube-apiserver'
  | 'kube-controller-manager'
  | 'kube-scheduler'
  | 'kubectl'
  | 'kwok'
  | 'helm'
  | 'ray-operator'
  | 'metrics-server';

export interface Recipe {
  /** Directory under rig/go/ and prefix of the cache directory. */
  readonly component: string;
  /** Recipe directory; default rig/go/<component>. */
  readonly dir?: string;
  /** The module whose version names the build. */
  readonly module: string;
  /** Go packages to build, with the binary each produces. */
  readonly packages: readonly { readonly pkg: string; readonly binary: BinaryName }[];
}

export const recipes: readonly Recipe[] = [
  {
    component: 'k8s',
    module: 'k8s.io/kubernetes',
    packages: [
      { pkg: 'k8s.io/kubernetes/cmd/kube-apiserver', binary: 'kube-apiserver' },
      { pkg: 'k8s.io/kubernetes/cmd/kube-controller-manager', binary: 'kube-controller-manager' },
      { pkg: 'k8s.io/kubernetes/cmd/kube-scheduler', binary: 'kube-scheduler' },
      { pkg: 'k8s.io/kubernetes/cmd/kubectl', binary: 'kubectl' },
    ],
  },
  {
    component: 'etcd',
    module: 'go.etcd.io/etcd/server/v3',
    packages: [{ pkg: 'go.etcd.io/etcd/server/v3', binary: 'etcd' }],
  },
  {
    component: 'kwok',
    module: 'sigs.k8s.io/kwok',
    packages: [{ pkg: 'sigs.k8s.io/kwok/cmd/kwok', binary: 'kwok' }],
  },
  {
    component: 'helm',
    module: 'helm.sh/helm/v3',
    packages: [{ pkg: 'helm.sh/helm/v3/cmd/helm', binary: 'helm' }],
  },
  {
    // `kubectl top` on the `real` rig: scrapes the local node's /metrics/resource, served as the
    // metrics.k8s.io APIService (rig/metricsServer.ts). v0.9.1 needs Go 1.26.10; v0.9.0 builds with 1.26.
    component: 'metrics-server',
    module: 'sigs.k8s.io/metrics-server',
    packages: [{ pkg: 'sigs.k8s.io/metrics-server/cmd/metrics-server', binary: 'metrics-server' }],
  },
  {
    // KubeRay's operator, the benchmark peer (bench/). v1.7.0's module zip is refused by the Go
    // proxy (403 "not available"), so the recipe pins v1.6.2, the newest version the proxy serves.
    component: 'kuberay',
    module: 'github.com/ray-project/kuberay/ray-operator',
    packages: [{ pkg: 'github.com/ray-project/kuberay/ray-operator', binary: 'ray-operator' }],
  },
];

export const allBinaries: readonly BinaryName[] = recipes.flatMap((r) => r.packages.map((p) => p.binary));

/** What `npm test` needs (CI builds these): everything but the benchmark peer. */
export const testBinaries: readonly BinaryName[] = allBinaries.filter((b) => b !== 'ray-operator');

/**
 * What every running rig needs; helm only matters to chart tests, ray-operator to benchmarks,
 * metrics-server to the `real` profile (the harness adds it there).
 */
export const coreBinaries: readonly BinaryName[] = allBinaries.filter(
  (b) => b !== 'helm' && b !== 'ray-operator' && b !== 'metrics-server',
);

export function recipeOf(binary: BinaryName): Recipe {
  const r = recipes.find((x) => x.packages.some((p) => p.binary === binary));
  if (!r) throw new Error(`rig: no recipe builds ${binary}`);
  return r;
}

/** The version `module` is required at in a go.mod text (a `require` line, single or in a block). */
export function requiredVersion(goMod: string, module: string): string {
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const m = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v[^\\s]+)`, 'm').exec(goMod);
  if (!m) throw new Error(`rig: go.mod does not require ${module}`);
  return m[1]!;
}

export function recipeDir(r: Recipe): string {
  return r.dir ?? join(goRecipeRoot, r.component);
}

export function recipeVersion(r: Recipe): string {
  return requiredVersion(readFileSync(join(recipeDir(r), 'go.mod'), 'utf8'), r.module);
}

/** Version ldflags: without them kube binaries report v0.0.0-master and clients read /version. */
export function ldflags(r: Recipe, version: string, buildDate: string): string {
  // helm prints only "v3.22" unless told its patch version.
  if (r.component === 'helm') return `-s -w -X helm.sh/helm/v3/internal/version.version=${version}`;
  if (r.component !== 'k8s') return '-s -w';
  const minor = version.split('.')[1] ?? '0';
  const v = 'k8s.io/component-base/version';
  return [
    '-s -w',
    `-X ${v}.gitVersion=${version}`,
    `-X ${v}.gitMajor=1`,
    `-X ${v}.gitMinor=${minor}`,
    `-X ${v}.gitTreeState=clean`,
    `-X ${v}.buildDate=${buildDate}`,
  ].join(' ');
}
