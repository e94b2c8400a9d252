#!/usr/bin/env bash
# Regenerates rig/go/k8s/go.mod for a Kubernetes release: require k8s.io/kubernetes@vX.Y.Z and
# replace every staging module (read from k8s.io/kubernetes's own go.mod, where they point at
# ./staging/src/k8s.io/*) with its published v0.Y.Z tag. A dependency's replace lines are ignored,
# so without this `go build` fails with "unknown revision v0.0.0" (kubernetes/kubernetes#79384).
# Usage: rig/go/update-k8s.sh 1.36.3
set -euo pipefail
K8S=${1:?usage: update-k8s.sh 1.36.3}
STAGING="v0.${K8S#1.}"
cd "$(dirname "$0")/k8s"
printf 'module kuray.local/rig/k8s\n\ngo 1.26.0\n' > go.mod
GOMOD=$(go mod download -json "k8s.io/kubernetes@v$K8S" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')
for m in $(sed -n 's|^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/src/k8s.io/.*|\1|p' "$GOMOD"); do
  go mod edit -replace="$m=$m@$STAGING"
done
go mod edit -require="k8s.io/kubernetes@v$K8S"
go mod tidy
