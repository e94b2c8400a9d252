// Wire shapes (Plain<…>, string timestamps) of the core objects the operator reads and writes.
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import type { Plain } from './plain.ts';

export type Pod = Plain<V1Pod>;
export type Service = Plain<V1Service>;
