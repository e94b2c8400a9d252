//go:build tools

// Package tools pins KubeRay's operator (github.com/ray-project/kuberay/ray-operator, whose main
// package is the module root) for the benchmark peer build. A separate module so its Kubernetes
// dependencies never mix with the rig's own k8s recipe.
package tools

import _ "github.com/ray-project/kuberay/ray-operator"
