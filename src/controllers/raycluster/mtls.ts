// The mTLS controller (gate RayClusterMTLS), a concern of its own as in KubeRay v1.7: for each cluster
// with tlsOptions.enabled it keeps cert-manager's PKI (src/compiler/tls.ts) in place — Issuers and the
// CA Certificate created once, the head and worker Certificates' IP SANs following the live pods' IPs —
// makes each certificate's Secret owned by its Certificate (so it goes with the cluster), and says when
// the PKI is ready or a certificate is about to expire. The RayCluster controller creates no pod before
// the certificates are issued for their current SANs (./mtlsGate.ts).
//
// cert-manager objects are read with GETs, not watched: only clusters with mTLS cost anything, and
// without cert-manager there is nothing to watch. Pod events (a new IP) and a short requeue while the
// PKI is not ready bring the controller back.
import type { RayCluster } from '../../api/v1/index.ts';
import type { Pod } from '../../compiler/k8sTypes.ts';
import { compileCluster } from '../../compiler/index.ts';
import type { CompileOptions } from '../../compiler/options.ts';
import { isTLSEnabled, tlsCertificateName, type CertManagerObject } from '../../compiler/tls.ts';
import { LABEL_CLUSTER } from '../../compiler/constants.ts';
import type { Controller, Request, Result } from '../../runtime/controller.ts';
import { errMessage, isNotFound } from '../../runtime/errors.ts';
import type { Manager } from '../../runtime/manager.ts';
import { Pods, RayClusters, Secrets, type KubeObject } from '../../runtime/resources.ts';
import type { KubeClient } from '../../runtime/transport.ts';
import { INDEX_BY_CLUSTER, ownedPods, podClusterIndex } from '../shared/clusterPods.ts';
import type { Lister } from '../shared/lister.ts';
import { MANAGED_BY_KURAY } from '../shared/managedBy.ts';
import { lister, watchScope } from '../shared/watchScope.ts';
import {
  CertManagerDiscovery,
  Certificates,
  Issuers,
  certificateReady,
  type CertificateObject,
} from './certManager.ts';
import type { EventSink } from './client.ts';
import { isTerminating } from './podState.ts';

/** KubeRay: 30 s while not ready, 1 min once ready. Pods wait on the PKI, so Kuray looks sooner. */
const NOT_READY_REQUEUE_MS = 3_000;
const READY_REQUEUE_MS = 60_000;
const EXPIRY_WARNING_MS = 24 * 3600_000;

export interface MTLSDeps {
  client: Pick<KubeClient, 'get' | 'create' | 'patch'>;
  clusters: Lister;
  pods: Lister;
  events: EventSink;
  certManager: Pick<CertManagerDiscovery, 'available' | 'recheckMs'>;
  compileOptions?: CompileOptions;
  now?: () => number;
}

/** The IPs of a cluster's live pods of one node type (KubeRay getPodIPs). */
export function livePodIPs(pods: readonly Pod[], nodeType: 'head' | 'worker'): string[] {
  return pods
    .filter(
      (p) =>
        p.metadata?.labels?.['ray.io/node-type'] === nodeType &&
        !isTerminating(p) &&
        p.status?.phase !== 'Succeeded' &&
        p.status?.phase !== 'Failed' &&
        !!p.status?.podIP,
    )
    .map((p) => p.status!.podIP!);
}

export class MTLSReconciler {
  readonly #d: MTLSDeps;
  /**
   * Per cluster (ns/name): its uid, whether its ready PKI was announced (one MTLSPKIReady Event per
   * readiness), and the Secrets already owned by their Certificate (ns/secret/certificate uid:
   * patched once). Dropped when the cluster is gone, deleting or no longer uses mTLS, so an
   * operator that sees clusters come and go for months does not keep them all.
   */
  readonly #clusters = new Map<string, { uid: string; announced: boolean; owned: Set<string> }>();

  constructor(deps: MTLSDeps) {
    this.#d = deps;
  }

  /** Clusters this controller keeps state for (tests: the state goes with the cluster). */
  get trackedClusters(): number {
    return this.#clusters.size;
  }

  async reconcile(req: Request): Promise<Result> {
    const key = `${req.namespace}/${req.name}`;
    const rc = this.#d.clusters.get(req.namespace, req.name) as RayCluster | undefined;
    const ours = !rc?.spec.managedBy || rc.spec.managedBy === MANAGED_BY_KURAY;
    if (!rc?.metadata || rc.metadata.deletionTimestamp || !isTLSEnabled(rc) || !ours) {
      this.#clusters.delete(key);
      return {};
    }
    const uid = rc.metadata.uid ?? '';
    let state = this.#clusters.get(key);
    if (state?.uid !== uid) {
      // A new cluster under an old name starts afresh.
      state = { uid, announced: false, owned: new Set() };
      this.#clusters.set(key, state);
    }
    // Without cert-manager the RayCluster controller reports it in the status; look again later.
    if (!(await this.#d.certManager.available())) return { requeueAfter: this.#d.certManager.recheckMs };
    let objects: CertManagerObject[];
    try {
      const pods = ownedPods(this.#d.pods, rc);
      objects = compileCluster(rc, this.#d.compileOptions).tlsObjects({
        head: livePodIPs(pods, 'head'),
        worker: livePodIPs(pods, 'worker'),
      });
    } catch {
      return {}; // an invalid spec: the RayCluster controller reports it
    }
    const owner = rc as KubeObject;
    const certs: CertificateObject[] = [];
    for (const want of objects) {
      try {
        const have = await this.#ensure(owner, want, state.owned);
        if (want.kind === 'Certificate' && have) certs.push(have);
      } catch (err) {
        this.#d.events.warning(
          owner,
          'MTLSFailedToReconcile',
          `Failed to reconcile mTLS ${want.kind} ${want.metadata.name}: ${errMessage(err)}`,
          'Reconcile',
        );
        throw err;
      }
    }
    const name = rc.metadata.name!;
    const leaves = [tlsCertificateName(name, 'head'), tlsCertificateName(name, 'worker')];
    const ready = leaves.every((n) => certs.some((c) => c.metadata.name === n && certificateReady(c)));
    if (!ready) {
      const wasReady = state.announced;
      state.announced = false;
      if (wasReady || !certs.length)
        this.#d.events.normal(
          owner,
          'MTLSCertsNotReady',
          'Waiting for cert-manager to issue mTLS certificates',
          'Reconcile',
        );
      return { requeueAfter: NOT_READY_REQUEUE_MS };
    }
    if (!state.announced) {
      state.announced = true;
      this.#d.events.normal(
        owner,
        'MTLSPKIReady',
        'mTLS PKI is ready: CA, head, and worker certificates issued',
        'Reconcile',
      );
    }
    this.#warnExpiring(owner, certs);
    return { requeueAfter: READY_REQUEUE_MS };
  }

  /** Creates `want` if missing; a leaf Certificate whose SANs or labels drifted is patched. */
  async #ensure(
    owner: KubeObject,
    want: CertManagerObject,
    owned: Set<string>,
  ): Promise<CertificateObject | undefined> {
    const gvr = want.kind === 'Issuer' ? Issuers : Certificates;
    const ns = want.metadata.namespace;
    let have: KubeObject & CertificateObject;
    try {
      have = await this.#d.client.get<KubeObject & CertificateObject>(gvr, ns, want.metadata.name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await this.#d.client.create(gvr, want as unknown as KubeObject);
      this.#d.events.normal(
        owner,
        `Created${want.kind}`,
        `Created ${want.kind} ${ns}/${want.metadata.name}`,
        'Create',
      );
      return undefined; // issued later; the requeue comes back
    }
    if (want.kind === 'Issuer') return undefined;
    // Issuers and the CA are static once made (KubeRay: no update, so cert-manager never reissues the CA).
    const leaf = Array.isArray(want.spec.ipAddresses);
    if (leaf && needsUpdate(have, want)) {
      const ips = want.spec.ipAddresses as string[];
      have = await this.#d.client.patch<KubeObject & CertificateObject>(
        Certificates,
        ns,
        want.metadata.name,
        {
          metadata: { labels: want.metadata.labels },
          spec: { dnsNames: want.spec.dnsNames, ipAddresses: ips },
        },
        'merge',
      );
      this.#d.events.normal(
        owner,
        'MTLSCertificatesUpdated',
        `Updated ${want.metadata.name.startsWith('ray-head') ? 'head' : 'worker'} certificate SANs (IPs: ${ips.join(', ')})`,
        'Update',
      );
    }
    await this.#ownSecret(have, owned);
    return have;
  }

  /** The Secret cert-manager wrote gets an owner reference to its Certificate (GC'd with it). */
  async #ownSecret(cert: KubeObject & CertificateObject, owned: Set<string>): Promise<void> {
    const ns = cert.metadata.namespace ?? '';
    const secret = cert.spec?.secretName;
    const key = `${ns}/${secret}/${cert.metadata.uid}`;
    if (!secret || owned.has(key)) return;
    let s: KubeObject;
    try {
      s = await this.#d.client.get<KubeObject>(Secrets, ns, secret);
    } catch (err) {
      if (isNotFound(err)) return; // not issued yet
      throw err;
    }
    const refs = s.metadata.ownerReferences ?? [];
    if (!refs.some((r) => r.uid === cert.metadata.uid)) {
      const ref = {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        name: cert.metadata.name!,
        uid: cert.metadata.uid!,
      };
      await this.#d.client.patch(
        Secrets,
        ns,
        secret,
        { metadata: { ownerReferences: [...refs, ref] } },
        'merge',
      );
    }
    owned.add(key);
  }

  #warnExpiring(owner: KubeObject, certs: readonly CertificateObject[]): void {
    const now = this.#d.now?.() ?? Date.now();
    for (const c of certs) {
      const notAfter = c.status?.notAfter ? Date.parse(c.status.notAfter) : NaN;
      if (!(notAfter - now < EXPIRY_WARNING_MS)) continue;
      const hours = ((notAfter - now) / 3600_000).toFixed(1);
      this.#d.events.warning(
        owner,
        'MTLSCertificateExpiringSoon',
        `TLS certificate ${c.metadata.name} expires in ${hours} hours; Ray does not hot-reload certs so a pod restart will be needed after renewal`,
        'Reconcile',
      );
    }
  }
}

function needsUpdate(have: CertificateObject, want: CertManagerObject): boolean {
  const set = (xs: readonly string[] | undefined) => [...new Set(xs ?? [])].sort().join(',');
  return (
    set(have.spec?.dnsNames) !== set(want.spec.dnsNames as string[]) ||
    set(have.spec?.ipAddresses) !== set(want.spec.ipAddresses as string[]) ||
    Object.entries(want.metadata.labels).some(([k, v]) => have.metadata.labels?.[k] !== v) ||
    Object.keys(have.metadata.labels ?? {}).length !== Object.keys(want.metadata.labels).length
  );
}

export interface MTLSControllerOptions {
  watchNamespaces?: readonly string[];
  compileOptions?: CompileOptions;
  certManager: CertManagerDiscovery;
}

export function setupMTLSController(mgr: Manager, opts: MTLSControllerOptions): Controller {
  const scope = watchScope(mgr, opts.watchNamespaces);
  const clusters = scope.informers(RayClusters);
  const pods = scope.informers(Pods, LABEL_CLUSTER); // the RayCluster controller's cache, shared
  for (const p of pods) if (!p.hasIndex(INDEX_BY_CLUSTER)) p.addIndex(INDEX_BY_CLUSTER, podClusterIndex);
  const reconciler = new MTLSReconciler({
    client: mgr.client,
    clusters: lister(clusters, scope.all),
    pods: lister(pods, scope.all),
    events: mgr.events,
    certManager: opts.certManager,
    ...(opts.compileOptions ? { compileOptions: opts.compileOptions } : {}),
  });
  const controller = mgr.newController({
    name: 'raycluster-mtls',
    concurrency: 2,
    reconcile: (req) => reconciler.reconcile(req),
  });
  for (const c of clusters) controller.watchOwn(c, (o, n) => o.metadata.generation !== n.metadata.generation);
  // A pod's IP appears or goes: its certificate's SANs follow.
  for (const p of pods) controller.watchOwned(p, 'RayCluster', 'ray.io', { coalesceMs: 500 });
  return controller;
}
