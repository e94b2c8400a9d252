//go:build tools

// Package tools pins the Kubernetes commands the rig builds. The replace block in go.mod maps
// every staging module of k8s.io/kubernetes to its published v0.36.x tag (derived from
// k8s.io/kubernetes's own go.mod), because replace lines of a dependency are ignored.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
