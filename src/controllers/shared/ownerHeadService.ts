// `<owner>-head-svc`: the stable head Service a RayJob (and a RayService) keeps pointing at whichever
// of its clusters is current (KubeRay's BuildHeadServiceForRayJob / the RayService's head Service).
// It is the cluster's own head Service (the compiler's, so ports and headless-ness match), renamed,
// relabelled for the owner and owned by it.
import type { RayCluster } from '../../api/v1/index.ts';
import { compileCluster, type CompileOptions } from '../../compiler/index.ts';
import {
  LABEL_CLUSTER,
  LABEL_IDENTIFIER,
  LABEL_NODE_TYPE,
  LABEL_ORIGINATED_FROM_CR_NAME,
  LABEL_ORIGINATED_FROM_CRD,
} from '../../compiler/constants.ts';
import type { Service } from '../../compiler/k8sTypes.ts';
import { checkLabel, headServiceName } from '../../compiler/names.ts';
import { controllerRef, type KubeObject } from '../../runtime/resources.ts';

export function ownerHeadServiceName(owner: KubeObject): string {
  return `${owner.metadata.name ?? ''}-head-svc`;
}

export function ownerHeadService(
  owner: KubeObject,
  creator: 'RayJob' | 'RayService',
  cluster: RayCluster,
  options: CompileOptions,
): Service {
  const own = headServiceName(cluster);
  const svc = structuredClone(
    compileCluster(cluster, options).objects.find(
      (o): o is Service => o.kind === 'Service' && o.metadata?.name === own,
    )!,
  );
  const name = owner.metadata.name ?? '';
  svc.metadata = {
    name: ownerHeadServiceName(owner),
    namespace: owner.metadata.namespace ?? '',
    labels: {
      [LABEL_ORIGINATED_FROM_CR_NAME]: name,
      [LABEL_ORIGINATED_FROM_CRD]: creator,
      [LABEL_NODE_TYPE]: 'head',
      [LABEL_IDENTIFIER]: checkLabel(`${name}-head`),
    },
    ...(svc.metadata?.annotations ? { annotations: svc.metadata.annotations } : {}),
    ownerReferences: [controllerRef(owner)],
  };
  return svc;
}

/** Which cluster a head Service selects (its ray.io/cluster selector). */
export function selectedCluster(svc: Service): string | undefined {
  return svc.spec?.selector?.[LABEL_CLUSTER];
}
