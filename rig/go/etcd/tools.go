//go:build tools

// Package tools pins go.etcd.io/etcd/server/v3 for the rig build (a separate module so MVS does not mix its
// dependencies with the Kubernetes ones).
package tools

import _ "go.etcd.io/etcd/server/v3"
