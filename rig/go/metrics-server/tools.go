//go:build tools

// Package tools pins sigs.k8s.io/metrics-server/cmd/metrics-server for the rig build (a separate
// module so MVS does not mix its dependencies with the Kubernetes ones). v0.9.0: v0.9.1 needs
// Go 1.26.10.
package tools

import _ "sigs.k8s.io/metrics-server/cmd/metrics-server"
