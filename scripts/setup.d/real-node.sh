#!/usr/bin/env bash
# A real Kubernetes node for `npm run test:node` (test/support/real-node.ts): Debian's containerd, runc
# and CNI plugins, the node's pause image, and the spnas CPU image built without a Docker daemon
# (scripts/image/build-image.sh). The kubelet is a command of kubebin (scripts/setup.d/kube.sh, which
# runs before this). Needs root, as the node tests do; CI runs as root.
#
# Cached OUTSIDE the clone ($SPNAS_CACHE_DIR, default ~/.cache/spnas, /image), linked from .tools/image.
# Cold: ~1 min for the packages, 20-30 min for the image on 2 shared cores; a second run only checks
# (seconds). A source change rebuilds the image's application layer (build-app.sh: npm ci, tsc, the
# native binding), not its base.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${SPNAS_CACHE_DIR:-$HOME/.cache/spnas}/image"
PACKAGES=(containerd runc containernetworking-plugins debootstrap)
PAUSE_VERSION=3.10.2   # kubeadm's default for Kubernetes 1.36 (cmd/kubeadm/app/constants); built from that module's pause.c
K8S_MODULE="k8s.io/kubernetes@v1.36.3"   # keep in step with scripts/setup.d/kube.sh
log() { echo "[real-node] $*"; }
if ! command -v go >/dev/null 2>&1; then
  for d in /usr/local/go/bin $(ls -d /usr/lib/go-1.*/bin 2>/dev/null | sort -t. -k2 -n -r); do
    if [ -x "$d/go" ]; then export PATH="$PATH:$d"; break; fi
  done
fi

# 1. Debian packages.
missing=(); for p in "${PACKAGES[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "real-node: ${missing[*]} missing; as root: apt-get install -y ${PACKAGES[*]} (the node tests need root anyway)" >&2; exit 1; }
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "${missing[@]}"; }
fi
log "containerd $(containerd --version | awk '{print $3}'), runc $(runc --version | awk 'NR==1{print $3}'), CNI plugins $(dpkg-query -W -f='${Version}' containernetworking-plugins)"
[ "$(id -u)" = 0 ] || { echo "real-node: building the images needs root (debootstrap, chroot): run scripts/setup.sh as root" >&2; exit 1; }

# 2. The pause image (the pod sandbox). registry.k8s.io is unreachable here: pause.c from the same
#    Kubernetes module as the kubelet, compiled static, as the one file of a one-layer image.
PAUSE_DIR="$CACHE/pause-$PAUSE_VERSION"
if [ ! -f "$PAUSE_DIR/image.json" ]; then
  SRC="$(cd "$ROOT/scripts/kube/kubebin" && GOFLAGS=-mod=readonly go list -m -f '{{.Dir}}' k8s.io/kubernetes)/build/pause/linux/pause.c"
  [ -f "$SRC" ] || { echo "real-node: $SRC not found (is $K8S_MODULE in the Go module cache? scripts/setup.d/kube.sh fetches it)" >&2; exit 1; }
  command -v gcc >/dev/null || { echo "real-node: gcc is needed to compile the pause binary (apt-get install -y build-essential)" >&2; exit 1; }
  W="$(mktemp -d)"; trap 'rm -rf "$W"' EXIT
  mkdir -p "$W/root"
  gcc -Os -Wall -Werror -static -DVERSION="v$PAUSE_VERSION-spnas" -o "$W/root/pause" "$SRC"
  tar --numeric-owner --owner=0 --group=0 -C "$W/root" -cf "$W/layer.tar" .
  bash "$ROOT/scripts/image/build-image.sh" --tools-only >/dev/null
  rm -rf "$PAUSE_DIR.tmp"; mkdir -p "$PAUSE_DIR.tmp"
  NAME="localhost/pause:$PAUSE_VERSION-spnas"
  DIGEST="$(bash "$ROOT/scripts/image/oci-assemble.sh" --crane "$CACHE/bin/crane" --name "$NAME" --out "$PAUSE_DIR.tmp/image.oci.tar" \
    --entrypoint /pause --user 65535:65535 --layer "$W/layer.tar" 2>"$W/assemble.log")" || { cat "$W/assemble.log" >&2; exit 1; }
  python3 - "$PAUSE_DIR" "$NAME" "$DIGEST" >"$PAUSE_DIR.tmp/image.json" <<'PY'
import json, os, sys
d, name, digest = sys.argv[1:]
print(json.dumps({"name": name, "digest": digest, "key": digest, "archive": f"{d}/image.oci.tar", "layers": 1,
  "compressedBytes": os.path.getsize(f"{d}.tmp/image.oci.tar"), "unpackedBytes": os.path.getsize(f"{d}.tmp/image.oci.tar"),
  "config": {"Entrypoint": ["/pause"], "User": "65535:65535", "WorkingDir": "/", "Env": []}}, indent=2))
PY
  rm -rf "$PAUSE_DIR"; mv "$PAUSE_DIR.tmp" "$PAUSE_DIR"
  log "pause image $NAME built"
fi
mkdir -p "$ROOT/.tools/image"
[ "$(readlink "$ROOT/.tools/image/pause" 2>/dev/null)" = "$PAUSE_DIR" ] || ln -sfn "$PAUSE_DIR" "$ROOT/.tools/image/pause"

# 3. The spnas CPU image (cached by content: seconds when nothing changed). Built here when this clone
#    has none; when it has one from older sources (a developer's edits since), the node tests rebuild it
#    when they start instead: a set-up re-run (test/setup.test.ts runs one) stays a quick check.
KEY="$(bash "$ROOT/scripts/image/build-image.sh" cpu --print-key)"
if [ -f "$ROOT/.tools/image/spnas-cpu/image.json" ] && [ ! -f "$CACHE/spnas-cpu-$KEY/image.json" ]; then
  log "the spnas image in .tools/image was built from other sources than these (key $KEY): npm run test:node rebuilds it first (or: bash scripts/image/build-image.sh cpu)"
else
  START=$SECONDS
  bash "$ROOT/scripts/image/build-image.sh" cpu
  log "spnas image ready in $((SECONDS - START)) s: $(python3 -c "import json; i=json.load(open('$ROOT/.tools/image/spnas-cpu/image.json')); print(i['name'], round(i['compressedBytes']/1e6), 'MB compressed,', round(i['unpackedBytes']/1e6), 'MB unpacked')")"
fi

# 4. The kubelet is in kubebin.
"$ROOT/.tools/bin/kubebin" kubelet --version >/dev/null 2>&1 \
  || { echo "real-node: .tools/bin/kubebin has no kubelet (scripts/setup.d/kube.sh builds it in)" >&2; exit 1; }
log "ready: kubelet $("$ROOT/.tools/bin/kubebin" kubelet --version | awk '{print $2}'), images in .tools/image"
