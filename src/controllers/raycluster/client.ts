// What the RayCluster controller asks of the API server: reads come from informer caches (Lister),
// so only these writes (and the few direct reads: the token Secret, the Redis cleanup Job) go out.
// KubeClient satisfies it; src/testing/fakeApi.ts is the in-memory one for unit tests.
import type { EventRecorder } from '../../runtime/events.ts';
import type { KubeClient } from '../../runtime/transport.ts';

export type RayClusterClient = Pick<KubeClient, 'get' | 'create' | 'patch' | 'patchStatus' | 'delete'>;

/** The part of the EventRecorder the controller uses. */
export type EventSink = Pick<EventRecorder, 'normal' | 'warning'>;
