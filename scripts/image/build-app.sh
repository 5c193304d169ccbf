#!/usr/bin/env bash
# The image's build stage: turns a copy of the repository (the build context, in the current directory)
# into the self-contained application tree the runtime image copies, /opt/spnas by default.
# Run by images/Dockerfile.{cpu,gpu} and, outside any container engine, by scripts/image/verify.sh,
# so the tree that is verified is built by the same steps.
#
#   bash scripts/image/build-app.sh cpu|gpu [DEST]
#
# Needs what the build stage has: Node.js with its headers and npm (node-gyp), python3 with pip,
# g++ and make. The result holds no compiler, no headers and no dev dependencies: only the production
# node_modules, the compiled TensorFlow binding and the libtensorflow it links, next to the app.
set -euo pipefail
FLAVOUR="${1:?usage: build-app.sh cpu|gpu [DEST]}"
DEST="${2:-/opt/spnas}"
TFJS_VERSION="$(node -p "require('./package-lock.json').packages['node_modules/@tensorflow/tfjs-node'].version")"
log() { echo "[build-app:$FLAVOUR] $*"; }

case "$FLAVOUR" in
  cpu) PKG=@tensorflow/tfjs-node ;;
  gpu) PKG=@tensorflow/tfjs-node-gpu ;;
  *) echo "build-app: unknown flavour '$FLAVOUR' (use cpu or gpu)" >&2; exit 2 ;;
esac
[ -f package-lock.json ] || { echo "build-app: run me in the repository (build context) root" >&2; exit 2; }

log "npm ci"
npm ci --no-audit --no-fund
# A compiled build (dist/) when the project has one; otherwise bin/spnas.js runs the sources through tsx.
log "npm run build (if the project defines one)"
npm run build --if-present
log "dropping dev dependencies"
npm prune --omit=dev --no-audit --no-fund
if [ "$FLAVOUR" = gpu ]; then
  # Same API as tfjs-node; its libtensorflow comes from the `tensorflow` wheel (CUDA kernels inside).
  log "adding $PKG@$TFJS_VERSION"
  npm install --no-save --omit=dev --no-audit --no-fund "$PKG@$TFJS_VERSION"
fi

# tfjs-node 4.22.0 (the latest release) calls util.isNullOrUndefined, which Node.js 23 removed: on the
# image's Node 24 every kernel that takes a tensor list (MatMul, Conv2D, ...) throws "util_1.isNullOrUndefined
# is not a function". Upstream replaced the calls with `x == null` and Array.isArray (runtime-deprecated
# util.isArray) (tensorflow/tfjs#8425, merged, not released: tensorflow/tfjs#8609); the same
# replacement here, checked to leave no call behind.
log "patching @tensorflow/tfjs-node* for Node >= 23 (util.isNullOrUndefined)"
for d in node_modules/@tensorflow/tfjs-node node_modules/@tensorflow/tfjs-node-gpu; do
  [ -d "$d/dist" ] || continue
  { grep -rlE --include='*.js' '\(0, util_1\.isNullOrUndefined\)' "$d/dist" || true; } | xargs -r sed -i -E -e 's/\(0, util_1\.isNullOrUndefined\)\(([A-Za-z_]+)\)/(\1 == null)/g' -e 's/\(0, util_1\.isArray\)\(/Array.isArray(/g'
  if grep -rE --include='*.js' --exclude='*_test.js' 'util_1\.is(NullOrUndefined|Array)' "$d/dist"; then
    echo "build-app: $d still calls util.isNullOrUndefined (a new tfjs-node release? check and drop this patch)" >&2; exit 1
  fi
done

log "native TensorFlow binding (scripts/install-native-tf.sh $FLAVOUR, from the PyPI wheel)"
SPNAS_TF_SOURCE="${SPNAS_TF_SOURCE:-wheel}" bash scripts/install-native-tf.sh "$FLAVOUR"

# install-native-tf.sh links deps/ to a cache outside the tree: copy in the two libraries the binding
# needs (its RUNPATH is $ORIGIN/../../deps/lib), drop headers, the binding's C++ sources and
# node-gyp's intermediate objects (the compiled binding stays in lib/napi-v*/).
PKG_DIR="node_modules/$PKG"
libdir="$(readlink -f "$PKG_DIR/deps/lib")"
rm -rf "$PKG_DIR/deps" "$PKG_DIR/build" "$PKG_DIR"/build-tmp-napi-v* "$PKG_DIR/binding"
mkdir -p "$PKG_DIR/deps/lib"
cp "$libdir/libtensorflow_cc.so.2" "$libdir/libtensorflow_framework.so.2" "$PKG_DIR/deps/lib/"
if [ "$FLAVOUR" = cpu ]; then
  # npm ci installs the optional GPU package too; the CPU image never loads it (SPNAS_TF_BACKEND=cpu)
  # and has no binding for it: only its C++ sources would ship.
  rm -rf node_modules/@tensorflow/tfjs-node-gpu
fi
if [ "$FLAVOUR" = gpu ]; then
  # The CPU package stays a dependency, but its binding is not built in the GPU image (the GPU
  # image forces SPNAS_TF_BACKEND=gpu): drop whatever the host left there.
  rm -rf node_modules/@tensorflow/tfjs-node/deps node_modules/@tensorflow/tfjs-node/build node_modules/@tensorflow/tfjs-node/binding node_modules/@tensorflow/tfjs-node/lib/napi-v*
fi

log "copying the application to $DEST"
mkdir -p "$DEST"
# Everything the program reads at run time; tests, benchmarks, docs, deployment and set-up files stay
# out (build-image.sh's cache key skips the same). So do the TypeScript sources dist/ was compiled
# from: bin/spnas.js refuses a build that is stale against its sources (scripts/build-state.cjs), and
# with TypeScript pruned above every build would look stale; without src/ there is nothing to be
# stale against.
tar -c --exclude=./.git --exclude=./test --exclude=./bench --exclude=./docs --exclude=./images \
  --exclude=./src --exclude=./workflows --exclude=./activities --exclude='./tsconfig*.json' \
  --exclude=./helm --exclude=./k8s --exclude=./scripts/image --exclude=./scripts/setup.d --exclude=./scripts/kube \
  --exclude=./scripts/render-k8s.sh --exclude=./runs --exclude=./.tools \
  --exclude=./.cache --exclude=./.ci . | tar -x -C "$DEST"
chmod 0755 "$DEST/bin/spnas.js"
log "done: $(du -sh "$DEST" | cut -f1) in $DEST"
