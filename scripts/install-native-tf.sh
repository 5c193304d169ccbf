#!/usr/bin/env bash
# Installs the native TensorFlow backend for @tensorflow/tfjs-node (and -gpu when asked) without the
# package's own download of libtensorflow, which fails where that host is unreachable.
#
# Route, in order:
#   1. Already built and loadable -> nothing to do (idempotent; a second run takes about a second).
#   2. Only with SPNAS_TF_SOURCE=download (or =auto, which falls back to 3): the package's normal install
#      script (libtensorflow 2.9.1 + prebuilt addon from the package's storage host). Not the default:
#      it is a different TensorFlow (and, for the GPU, CUDA 11.2 / cuDNN 8.1) from the one tested here.
#   3. Default: libtensorflow_cc / libtensorflow_framework and the C headers from the TensorFlow 2.18.0
#      wheel on PyPI, then the N-API binding compiled from source with node-gyp against them.
# See docs/native-backend.md for why each step exists.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FLAVOUR="${1:-cpu}"                       # cpu | gpu
TF_WHEEL_VERSION="${SPNAS_TF_WHEEL_VERSION:-2.18.0}"
TF_SOURCE="${SPNAS_TF_SOURCE:-wheel}"     # wheel | download | auto (download, else wheel)
CACHE="${SPNAS_CACHE_DIR:-$HOME/.cache/spnas}"

case "$FLAVOUR" in
  cpu) PKG="@tensorflow/tfjs-node"; WHEEL="tensorflow-cpu" ;;
  gpu) PKG="@tensorflow/tfjs-node-gpu"; WHEEL="tensorflow" ;;   # the plain wheel carries the CUDA kernels
  *) echo "install-native-tf: unknown flavour '$FLAVOUR' (use cpu or gpu)" >&2; exit 2 ;;
esac
PKG_DIR="$ROOT/node_modules/$PKG"
[ -d "$PKG_DIR" ] || { echo "install-native-tf: $PKG is not installed; run 'npm ci' first" >&2; exit 2; }

log() { echo "[native-tf:$FLAVOUR] $*"; }
PYTHON="$(command -v python3 || true)"
[ -n "$PYTHON" ] || { echo "install-native-tf: python3 (with pip) is needed to fetch the TensorFlow wheel" >&2; exit 1; }
mkdir -p "$CACHE/logs"

loads() {
  (cd "$ROOT" && node -e "require('$PKG'); const tf=require('@tensorflow/tfjs'); if (tf.getBackend()!=='tensorflow') process.exit(3)" >/dev/null 2>&1)
}

if loads; then log "native backend already loads; nothing to do"; exit 0; fi

if [ "$TF_SOURCE" != "wheel" ]; then
  log "trying the package's normal download"
  if (cd "$PKG_DIR" && timeout 600 node "$PKG_DIR/scripts/install.js" "$FLAVOUR" download) >"$CACHE/logs/tfjs-download-$FLAVOUR.log" 2>&1 && loads; then
    log "installed by download"; exit 0
  fi
  [ "$TF_SOURCE" = "download" ] && { echo "install-native-tf: download failed, see $CACHE/logs/tfjs-download-$FLAVOUR.log" >&2; exit 1; }
  log "download unavailable (see $CACHE/logs/tfjs-download-$FLAVOUR.log); building from the $WHEEL $TF_WHEEL_VERSION wheel"
fi

# 1. the wheel -> a cached libtensorflow tree: lib/ with the sonames the binding links, include/ with headers
TF_DIR="$CACHE/libtensorflow-$WHEEL-$TF_WHEEL_VERSION"
if [ ! -f "$TF_DIR/.complete" ]; then
  mkdir -p "$CACHE/wheels"
  whl=$(ls "$CACHE/wheels/${WHEEL//-/_}-$TF_WHEEL_VERSION-"*.whl 2>/dev/null | head -n1 || true)
  if [ -z "$whl" ]; then
    log "downloading the $WHEEL==$TF_WHEEL_VERSION wheel"
    # into a scratch directory first, so an interrupted download never passes for the wheel
    rm -rf "$CACHE/wheels/.partial"
    "$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
      --platform manylinux_2_17_x86_64 -d "$CACHE/wheels/.partial" "$WHEEL==$TF_WHEEL_VERSION"
    mv "$CACHE/wheels/.partial/"*.whl "$CACHE/wheels/"
    whl=$(ls "$CACHE/wheels/${WHEEL//-/_}-$TF_WHEEL_VERSION-"*.whl | head -n1)
  fi
  tmp="$TF_DIR.tmp"; rm -rf "$tmp"; mkdir -p "$tmp"
  log "extracting shared libraries and headers from $(basename "$whl")"
  "$PYTHON" - "$whl" "$tmp" <<'PY'
import sys, zipfile, os
whl, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(whl) as z:
    for n in z.namelist():
        if n in ("tensorflow/libtensorflow_cc.so.2", "tensorflow/libtensorflow_framework.so.2"):
            z.extract(n, out)
        elif n.startswith("tensorflow/include/"):
            z.extract(n, out)
PY
  mkdir -p "$tmp/lib"
  mv "$tmp/tensorflow/libtensorflow_cc.so.2" "$tmp/tensorflow/libtensorflow_framework.so.2" "$tmp/lib/"
  mv "$tmp/tensorflow/include" "$tmp/include"
  rmdir "$tmp/tensorflow"
  # The wheel's libtensorflow_cc exports the C and eager C API (TF_*, TFE_*) that the binding calls.
  ln -sf libtensorflow_cc.so.2 "$tmp/lib/libtensorflow.so"
  ln -sf libtensorflow_framework.so.2 "$tmp/lib/libtensorflow_framework.so"
  touch "$tmp/.complete"
  rm -rf "$TF_DIR"; mv "$tmp" "$TF_DIR"
fi

# 2. point the package's deps/ at it and compile the binding (node-gyp, local Node headers: no download)
rm -rf "$PKG_DIR/deps"; mkdir -p "$PKG_DIR/deps"
ln -s "$TF_DIR/lib" "$PKG_DIR/deps/lib"
ln -s "$TF_DIR/include" "$PKG_DIR/deps/include"
NODE_PREFIX="$(node -p "require('path').resolve(process.execPath, '..', '..')")"
[ -f "$NODE_PREFIX/include/node/node_api.h" ] || { echo "install-native-tf: Node headers not found under $NODE_PREFIX/include/node (install the nodejs dev headers)" >&2; exit 1; }
NODE_GYP_BIN="$(node -p "require('path').dirname(require.resolve('node-gyp/bin/node-gyp.js', {paths: [require('path').join(require('path').dirname(process.execPath), '..', 'lib', 'node_modules', 'npm')]}))" 2>/dev/null || true)"
# else a node-gyp on PATH (distributions that package it apart from npm)
[ -n "$NODE_GYP_BIN" ] || NODE_GYP_BIN="$(dirname "$(command -v node-gyp 2>/dev/null || echo /nonexistent/node-gyp)")"
[ -d "$NODE_GYP_BIN" ] || { echo "install-native-tf: node-gyp not found (it ships with npm; or install it on PATH)" >&2; exit 1; }
log "compiling the N-API binding (about a minute)"
# Compiled in a scratch copy of the package under a plain path: gyp-generated makefiles split include and
# library paths at spaces, so a checkout under "My Projects/" would fail. The addon is then copied into
# the package; its RUNPATH ($ORIGIN/../../deps/lib) is relative, so it finds the same deps/ there.
STAGE="$(mktemp -d "${TMPDIR:-/tmp}/spnas-binding.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT
cp -R "$PKG_DIR/package.json" "$PKG_DIR/binding.gyp" "$PKG_DIR/binding" "$STAGE/"
mkdir -p "$STAGE/deps" && ln -s "$TF_DIR/lib" "$STAGE/deps/lib" && ln -s "$TF_DIR/include" "$STAGE/deps/include"
# Only the newest Node-API version this Node supports: the one the package loads (lib/napi-v8 on Node
# 20); node-pre-gyp would otherwise compile and link the addon once per listed version (3 to 8).
(cd "$STAGE" && PATH="$NODE_GYP_BIN:$PATH" node "$ROOT/node_modules/@mapbox/node-pre-gyp/bin/node-pre-gyp" \
    rebuild --build-from-source --build-latest-napi-version-only --nodedir="$NODE_PREFIX") >"$CACHE/logs/binding-build-$FLAVOUR.log" 2>&1 \
  || { echo "install-native-tf: binding build failed; log: $CACHE/logs/binding-build-$FLAVOUR.log" >&2; tail -20 "$CACHE/logs/binding-build-$FLAVOUR.log" >&2; exit 1; }
addon="$(cd "$STAGE" && ls lib/napi-v*/tfjs_binding.node | tail -n1)"
mkdir -p "$PKG_DIR/$(dirname "$addon")"
cp "$STAGE/$addon" "$PKG_DIR/$addon.tmp" && mv "$PKG_DIR/$addon.tmp" "$PKG_DIR/$addon"
loads || { echo "install-native-tf: built, but $PKG does not load; see docs/native-backend.md" >&2; exit 1; }
log "native backend ready ($WHEEL $TF_WHEEL_VERSION)"
