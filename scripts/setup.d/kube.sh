#!/usr/bin/env bash
# The throw-away Kubernetes control plane the k8s tests run against (test/support/kube-cluster.ts), and
# the chart tools: one multi-call binary `kubebin` (kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl, etcd, kwok, and the kubelet of the real node: test/support/real-node.ts)
# built from the Go module proxy out of scripts/kube/kubebin, plus helm and kubeconform. No source of
# those projects is in this repository: only the small wrapper module.
#
# Cached OUTSIDE the clone, keyed by version ($SPNAS_CACHE_DIR, default ~/.cache/spnas, /kube-<k8s>),
# so every clone on a machine shares one build: ~8 min and ~2.5 GB RAM cold on 2 cores, nothing after.
# The clone gets symlinks in .tools/bin (gitignored). Idempotent: a second run only checks.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
K8S_VERSION="v1.36.3"       # keep in step with scripts/kube/kubebin/go.mod and test/support/kube-cluster.ts
HELM_VERSION="v3.21.4"
KUBECONFORM_VERSION="v0.8.0"
CACHE="${SPNAS_CACHE_DIR:-$HOME/.cache/spnas}"
DIR="$CACHE/kube-$K8S_VERSION"
SRC="$ROOT/scripts/kube/kubebin"
LINKS="$ROOT/.tools/bin"
TOOLS=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok kubelet)

# Go may be installed without being on PATH (as in scripts/setup.d/gofakes3.sh).
if ! command -v go >/dev/null 2>&1; then
  for d in /usr/local/go/bin $(ls -d /usr/lib/go-1.*/bin 2>/dev/null | sort -t. -k2 -n -r); do
    if [ -x "$d/go" ]; then export PATH="$PATH:$d"; break; fi
  done
fi
need_go() {
  command -v go >/dev/null 2>&1 && return 0
  echo "kube: 'go' is not on PATH; install Go >= 1.21 to build the test control plane (k8s.io/kubernetes $K8S_VERSION needs go 1.26, which an older go fetches through the module proxy)" >&2
  exit 1
}
# link NAME TARGET: a symlink that is only rewritten when it points elsewhere (so a re-run touches nothing)
link() { [ "$(readlink "$1" 2>/dev/null)" = "$2" ] || ln -sfn "$2" "$1"; }

mkdir -p "$DIR/bin" "$LINKS"

# 1. kubebin. The stamp is the hash of the wrapper module, so editing it rebuilds.
STAMP="$(cat "$SRC/go.mod" "$SRC/go.sum" "$SRC/main.go" | sha256sum | cut -c1-16)"
if [ -x "$DIR/bin/kubebin" ] && [ "$(cat "$DIR/bin/kubebin.stamp" 2>/dev/null)" = "$STAMP" ]; then
  echo "kubebin $K8S_VERSION already built at $DIR/bin/kubebin"
else
  need_go
  MAJOR="${K8S_VERSION#v}"; MAJOR="${MAJOR%%.*}"
  MINOR="${K8S_VERSION#v*.}"; MINOR="${MINOR%%.*}"
  # Without these the servers report v0.0.0-master and clients' version checks (helm, kubectl) break.
  LDFLAGS="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    LDFLAGS="$LDFLAGS -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=$MAJOR -X $pkg.gitMinor=$MINOR -X $pkg.gitTreeState=clean"
  done
  echo "kube: building kubebin $K8S_VERSION (kube-apiserver, controller-manager, scheduler, kubectl, etcd, kwok, kubelet); ~9 min cold on 2 cores"
  START=$SECONDS
  (cd "$SRC" && GOFLAGS="-mod=readonly -buildvcs=false" nice -n 10 go build -trimpath -ldflags "$LDFLAGS" -o "$DIR/bin/kubebin.tmp" .)
  mv -f "$DIR/bin/kubebin.tmp" "$DIR/bin/kubebin"
  echo "$STAMP" > "$DIR/bin/kubebin.stamp"
  echo "kubebin built in $((SECONDS - START)) s at $DIR/bin/kubebin"
fi
for t in "${TOOLS[@]}"; do link "$DIR/bin/$t" kubebin; done

# go_tool NAME MODULE@VERSION LDFLAGS: `go install` into the cache unless the binary's build info already
# names that module version.
go_tool() {
  local name="$1" modver="$2" ldflags="$3" mod="${2%@*}" ver="${2#*@}"
  if [ -x "$DIR/bin/$name" ] && command -v go >/dev/null 2>&1 \
     && go version -m "$DIR/bin/$name" 2>/dev/null | grep -Eq "^[[:space:]]+mod[[:space:]]+${mod%%/cmd/*}[[:space:]]+$ver([[:space:]]|$)"; then
    echo "$name $ver already built at $DIR/bin/$name"
    return
  fi
  need_go
  echo "kube: building $name $ver"
  GOBIN="$DIR/bin" GOFLAGS="-buildvcs=false" nice -n 10 go install -trimpath -ldflags "$ldflags" "$modver"
}

# 2. helm: a plain build believes the cluster is Kubernetes 1.20 (Capabilities.KubeVersion, lint rules).
H=helm.sh/helm/v3
HMAJOR="${K8S_VERSION#v}"; HMAJOR="${HMAJOR%%.*}"; HMINOR="${K8S_VERSION#v*.}"; HMINOR="${HMINOR%%.*}"
go_tool helm "$H/cmd/helm@$HELM_VERSION" \
  "-s -w -X $H/internal/version.version=$HELM_VERSION -X $H/internal/version.gitTreeState=clean \
   -X $H/pkg/chartutil.k8sVersionMajor=$HMAJOR -X $H/pkg/chartutil.k8sVersionMinor=$HMINOR \
   -X $H/pkg/lint/rules.k8sVersionMajor=$HMAJOR -X $H/pkg/lint/rules.k8sVersionMinor=$HMINOR"

# 3. kubeconform (its schemas come from our own apiserver: scripts/kube/gen-schemas.sh, never the internet).
go_tool kubeconform "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION" "-s -w"

# 4. kwok's Logs CRD (the test cluster serves pod logs from files through it), from the module kwok was
#    built from, so the schema matches the binary.
CRD="$DIR/share/kwok.x-k8s.io_logs.yaml"
if [ ! -s "$CRD" ]; then
  need_go
  KWOK_DIR="$(cd "$SRC" && GOFLAGS=-mod=readonly go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)"
  mkdir -p "$DIR/share"
  cp "$KWOK_DIR/kustomize/crd/bases/kwok.x-k8s.io_logs.yaml" "$CRD.tmp" && mv -f "$CRD.tmp" "$CRD"
fi

# 5. openapi2jsonschema2 (PyPI) in a venv: turns the test API server's /openapi/v2 into kubeconform
#    schemas (scripts/kube/gen-schemas.sh).
O2J_VERSION="1.1.37"
O2J="$CACHE/venvs/openapi2jsonschema2-$O2J_VERSION"
# (a venv cannot be moved, so it is built in place and marked complete at the end)
if [ -x "$O2J/bin/openapi2jsonschema2" ] && [ -f "$O2J/.spnas-complete" ]; then
  echo "openapi2jsonschema2 $O2J_VERSION already installed in $O2J"
else
  rm -rf "$O2J"
  python3 -m venv "$O2J"
  "$O2J/bin/pip" install -q --disable-pip-version-check "openapi2jsonschema2==$O2J_VERSION"
  touch "$O2J/.spnas-complete"
  echo "openapi2jsonschema2 $O2J_VERSION installed in $O2J"
fi

for t in kubebin "${TOOLS[@]}" helm kubeconform; do link "$LINKS/$t" "$DIR/bin/$t"; done
link "$ROOT/.tools/kube" "$DIR"
link "$LINKS/openapi2jsonschema2" "$O2J/bin/openapi2jsonschema2"
echo "kube tools ready in $DIR/bin (linked from .tools/bin)"
