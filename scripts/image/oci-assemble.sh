#!/usr/bin/env bash
# Assembles an OCI image from layer tarballs and a config, without a container engine, and writes it
# as an OCI archive that `ctr images import` names by itself. Used by scripts/image/build-image.sh (the
# spnas image) and scripts/setup.d/real-node.sh (the node's pause image).
#
#   bash scripts/image/oci-assemble.sh --crane BIN --name localhost/x:tag --out image.oci.tar \
#     [--env K=V]... [--user U] [--workdir W] [--entrypoint a,b,c] [--cmd x,y] --layer a.tar [--layer b.tar]...
#
# go-containerregistry's crane has no local image store, so the layers go through a throw-away
# registry on loopback (`crane registry serve`, its data in a temp dir): `crane append` makes one layer
# per tarball (gzip, OCI media types), `crane mutate` sets the config, `crane pull --format oci` brings it
# back as an OCI layout, and the index gets the annotations containerd's importer names images by
# (io.containerd.image.name, org.opencontainers.image.ref.name). Prints the manifest digest.
set -euo pipefail
CRANE=""; NAME=""; OUT=""; LAYERS=(); MUTATE=(--set-platform linux/amd64)
while [ $# -gt 0 ]; do
  case "$1" in
    --crane) CRANE="$2"; shift 2 ;;
    --name) NAME="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --layer) LAYERS+=("$2"); shift 2 ;;
    --env) MUTATE+=(--env "$2"); shift 2 ;;
    --user) MUTATE+=(--user "$2"); shift 2 ;;
    --workdir) MUTATE+=(--workdir "$2"); shift 2 ;;
    --entrypoint) MUTATE+=(--entrypoint "$2"); shift 2 ;;
    --cmd) MUTATE+=(--cmd "$2"); shift 2 ;;
    *) echo "oci-assemble: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ -x "$CRANE" ] && [ -n "$NAME" ] && [ -n "$OUT" ] && [ "${#LAYERS[@]}" -gt 0 ] \
  || { echo "oci-assemble: needs --crane, --name, --out and at least one --layer" >&2; exit 2; }
TAG="${NAME##*:}"

W="$(mktemp -d "${TMPDIR:-/tmp}/spnas-oci.XXXXXX")"
REG_PID=""
cleanup() { [ -n "$REG_PID" ] && kill "$REG_PID" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
mkdir -p "$W/registry"
"$CRANE" registry serve --address "127.0.0.1:$PORT" --disk "$W/registry" >"$W/registry.log" 2>&1 & REG_PID=$!
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$PORT/v2/" >/dev/null 2>&1 && break; sleep 0.1; done
REF="127.0.0.1:$PORT/image:$TAG"
# One layer per tarball, in order (as one Dockerfile instruction each).
"$CRANE" append --insecure --oci-empty-base -f "${LAYERS[0]}" -t "$REF" >/dev/null
for l in "${LAYERS[@]:1}"; do "$CRANE" append --insecure -b "$REF" -f "$l" -t "$REF" >/dev/null; done
PATH_ENV="PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
"$CRANE" mutate --insecure "$REF" --env "$PATH_ENV" "${MUTATE[@]}" --tag "$REF" >/dev/null
"$CRANE" pull --insecure --format oci "$REF" "$W/oci"
kill "$REG_PID"; REG_PID=""

python3 - "$W/oci/index.json" "$NAME" "$TAG" <<'PY'
import json, sys
path, name, tag = sys.argv[1:]
idx = json.load(open(path))
assert len(idx["manifests"]) == 1, idx
idx["manifests"][0].setdefault("annotations", {}).update({"io.containerd.image.name": name, "org.opencontainers.image.ref.name": tag})
json.dump(idx, open(path, "w"))
print(idx["manifests"][0]["digest"])
PY
mkdir -p "$(dirname "$OUT")"
tar --numeric-owner -C "$W/oci" -cf "$OUT.tmp" oci-layout index.json blobs
mv -f "$OUT.tmp" "$OUT"
