//go:build tools

// Package tools pins helm.sh/helm/v3/cmd/helm for the rig build (a separate module so MVS does not mix its
// dependencies with the Kubernetes ones).
package tools

import _ "helm.sh/helm/v3/cmd/helm"
