// spec.managedBy: Kueue's MultiKueue (and others) take an object over; this value means "ours".
export const MANAGED_BY_KURAY = 'ray.io/kuberay-operator';
