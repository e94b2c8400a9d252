//go:build tools

// Package tools pins sigs.k8s.io/kwok/cmd/kwok for the rig build (a separate module so MVS does not mix its
// dependencies with the Kubernetes ones).
package tools

import _ "sigs.k8s.io/kwok/cmd/kwok"
