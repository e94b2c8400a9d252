// The V8 flags the operator process runs with: the image sets them in NODE_OPTIONS (Dockerfile), the
// benchmark and the tests that spawn an operator pass them on the command line.
//
// --max-semi-space-size=2 (MiB): V8's young generation defaults to 16 MiB semi-spaces, and a
// controller that parses thousands of watch events and API replies in a burst touches all of it, so
// the pages stay resident afterwards. Measured at 1,000 idle RayClusters (bench steady, this
// machine): 204 MiB RSS with the default, 148 MiB with 2 MiB, and no slower to get there (more,
// cheaper scavenges). Objects that live (the informer caches) are promoted to the old generation
// either way.
export const OPERATOR_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];
