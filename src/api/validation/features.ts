// Operator feature gates that change what is valid (KubeRay v1.7.0 ray-operator/pkg/features), with
// KubeRay's defaults. Validation takes the operator's actual gates as an option.
export const FEATURE_GATE_DEFAULTS = {
  RayClusterStatusConditions: true,
  RayJobDeletionPolicy: true,
  RayMultiHostIndexing: true,
  RayServiceIncrementalUpgrade: true,
  RayCronJob: false,
  SidecarSubmitterRestart: false,
  RayClusterNetworkPolicy: false,
  GCSFaultToleranceEmbeddedStorage: false,
  RayClusterMTLS: false,
  RayClusterHistoryServer: false,
  KubernetesWAS: false,
} as const;

export type FeatureGate = keyof typeof FEATURE_GATE_DEFAULTS;
export type FeatureGates = Partial<Record<FeatureGate, boolean>>;

export function isFeatureGate(name: string): name is FeatureGate {
  return Object.hasOwn(FEATURE_GATE_DEFAULTS, name);
}

export function gateEnabled(gates: FeatureGates | undefined, gate: FeatureGate): boolean {
  return gates?.[gate] ?? FEATURE_GATE_DEFAULTS[gate];
}

/**
 * How to turn `gate` on, naming the flag and the chart value that exist (a hint for validation).
 * `kuray validate --feature-gates` takes the same syntax.
 */
export function enableGateHint(gate: FeatureGate): string {
  return `run the operator with --feature-gates=${gate}=true (Helm: featureGates: [{name: ${gate}, enabled: true}])`;
}

/** Parses `A=true,B=false` (the operator's --feature-gates syntax). Throws on unknown gates. */
export function parseFeatureGates(spec: string): FeatureGates {
  const out: FeatureGates = {};
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const [name, value] = part.split('=');
    if (name === undefined || !isFeatureGate(name))
      throw new Error(`unknown feature gate ${JSON.stringify(name)}`);
    if (value !== 'true' && value !== 'false')
      throw new Error(`feature gate ${name}: expected =true or =false`);
    out[name] = value === 'true';
  }
  return out;
}
