// The head group and worker groups of a RayCluster.
import type { Static } from 'typebox';
import { arr, bool, int32, obj, opt, str, stringEnum, stringMap } from '../schema.ts';
import { ingressTLS, podTemplate, service } from './core.ts';
import { MAX_REPLICAS_DEFAULT, INGRESS_PATH_TYPES } from './enums.ts';

export const IngressOptions = obj(
  {
    host: opt(
      str(
        'Host is the fully-qualified domain name used to route external traffic to the Ray head dashboard. ' +
          'When unset, the generated ingress rule matches any host.',
      ),
    ),
    path: opt(str('Path is the HTTP path that routes to the Ray head dashboard. Defaults to "/".')),
    pathType: opt(
      stringEnum(
        INGRESS_PATH_TYPES,
        'PathType is the path matching mode applied to path. Defaults to "Prefix", which works without a ' +
          'rewrite-target annotation or controller-specific regex support.',
      ),
    ),
    tls: opt(ingressTLS('TLS configures TLS termination for the generated ingress.')),
  },
  'IngressOptions defines the host, path, and TLS configuration for the ingress generated for the head ' +
    'group (when enableIngress is true).',
);

const groupResources = (group: string) =>
  stringMap(
    `Resources specifies the Ray logical resource quantities for the ${group}, e.g. {"CPU": "4", "GPU": "1", ` +
      '"memory": "8Gi", "custom": "2"}. These values override the num-cpus/num-gpus/memory/resources entries ' +
      'of rayStartParams (do not set both), but have no effect on the container resources of the pod.',
  );
const groupLabels = (group: string) =>
  stringMap(
    `Labels specifies the Ray node labels for the ${group}. They are also added to the pods of the group and ` +
      'override the --labels argument of rayStartParams (which must not be set).',
  );

export const HeadGroupSpec = obj(
  {
    template: podTemplate(
      'Template is the pod template of the head pod. The Ray container must be containers[0]; Kuray adds the ' +
        '`ray start --head` command, ports, probes, env and labels unless you set them.',
    ),
    headService: opt(
      service(
        'HeadService overrides the Kubernetes Service of the head pod. Its metadata.name, if set, replaces ' +
          'the default name <cluster>-head-svc.',
      ),
    ),
    enableIngress: opt(
      bool('EnableIngress indicates whether the operator should create an Ingress for the head dashboard.'),
    ),
    ingressOptions: opt(IngressOptions),
    resources: opt(groupResources('head group')),
    labels: opt(groupLabels('head group')),
    rayStartParams: opt(
      stringMap(
        'RayStartParams are the flags of `ray start --head`, without the leading dashes, all as strings: ' +
          'e.g. {"num-cpus": "2", "memory": "4Gi", "dashboard-host": "0.0.0.0"}. num-cpus/num-gpus/memory ' +
          "default to the Ray container's limits; memory and object-store-memory accept Kubernetes quantities.",
      ),
    ),
    serviceType: opt(
      str(
        'ServiceType is the Kubernetes service type of the head service (ClusterIP, NodePort, LoadBalancer). ' +
          'Workers use the head service to reach the head. ClusterIP (the default) creates a headless service.',
      ),
    ),
  },
  'HeadGroupSpec is the spec for the head pod: the one pod running the GCS, the dashboard and the driver ' +
    'API of the Ray cluster.',
);
export type HeadGroupSpec = Static<typeof HeadGroupSpec>;

export const ScaleStrategy = obj(
  {
    workersToDelete: opt(
      arr(
        str(''),
        'WorkersToDelete lists the names of the worker pods to delete. Written by the Ray autoscaler together ' +
          'with replicas when it scales down; the operator deletes exactly these pods.',
      ),
    ),
  },
  'ScaleStrategy defines which pods to remove when scaling the group down.',
);

export const WorkerGroupSpec = obj(
  {
    suspend: opt(
      bool(
        'Suspend indicates whether the worker group should be suspended: a suspended worker group has all ' +
          'its pods deleted. This is not a user-facing API; it is used by the RayJob deletion strategy ' +
          'DeleteWorkers.',
      ),
    ),
    groupName: str(
      'GroupName identifies the worker group. Names must be unique within the cluster; the name is used in ' +
        'pod names, the ray.io/group label and the Ray node type, so it must be a valid DNS label.',
    ),
    replicas: opt(
      int32(
        'Replicas is the number of desired replicas (pods, or pod sets when numOfHosts > 1) for this worker ' +
          'group, clamped to [minReplicas, maxReplicas]. With the autoscaler enabled, the autoscaler owns this ' +
          'field. Defaults to 0.',
        { default: 0 },
      ),
    ),
    minReplicas: int32('MinReplicas denotes the minimum number of desired replicas for this worker group.', {
      default: 0,
    }),
    maxReplicas: int32(
      'MaxReplicas denotes the maximum number of desired replicas for this worker group; the default is ' +
        'maxInt32 (2147483647).',
      { default: MAX_REPLICAS_DEFAULT },
    ),
    idleTimeoutSeconds: opt(
      int32(
        'IdleTimeoutSeconds denotes the number of seconds to wait before the v2 autoscaler terminates an idle ' +
          'worker pod of this group. Only used with autoscaler v2; defaults to autoscalerOptions.idleTimeoutSeconds.',
      ),
    ),
    priority: opt(
      int32(
        'Priority influences which worker group the autoscaler prefers when multiple groups can satisfy the ' +
          'same resource demand. Higher priority groups are preferred for scale-up. Only honored by Ray ' +
          'Autoscaler v2 (Ray >= 2.56).',
        { default: 0 },
      ),
    ),
    resources: opt(groupResources('worker group')),
    labels: opt(groupLabels('worker group')),
    rayStartParams: opt(
      stringMap(
        'RayStartParams are the flags of `ray start` for the workers of this group, without the leading ' +
          'dashes, all as strings: e.g. {"num-cpus": "2", "memory": "4Gi"}. address is filled in by the operator.',
      ),
    ),
    template: podTemplate(
      'Template is the pod template of the worker pods. The Ray container must be containers[0].',
    ),
    scaleStrategy: opt(ScaleStrategy),
    numOfHosts: opt(
      int32(
        'NumOfHosts denotes the number of hosts (pods) to create per replica, for multi-host accelerators ' +
          '(e.g. TPU slices). The default value is 1.',
        { default: 1 },
      ),
    ),
  },
  'WorkerGroupSpec is the spec for one group of identical worker pods.',
);
export type WorkerGroupSpec = Static<typeof WorkerGroupSpec>;
