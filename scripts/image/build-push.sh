#!/usr/bin/env bash
# Builds and pushes both spnas images with Docker BuildKit (needs a container engine; there is none on
# the project's own machines, where scripts/image/verify.sh checks the CPU image instead).
#
#   REPO=registry.example.com/spnas bash scripts/image/build-push.sh [VERSION] [cpu|gpu|all]
#     -> $REPO:$VERSION (images/Dockerfile.cpu) and $REPO:$VERSION-gpu (images/Dockerfile.gpu)
# VERSION defaults to package.json's version (the chart's appVersion, hence its default tag).
# PUSH=0 builds into the local engine only; PLATFORM defaults to linux/amd64 (the TensorFlow wheels'
# platform).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
: "${REPO:?set REPO, e.g. REPO=registry.example.com/spnas}"
VERSION="${1:-$(node -p "require('$ROOT/package.json').version")}"
WHICH="${2:-all}"
PLATFORM="${PLATFORM:-linux/amd64}"
OUTPUT=(--push); [ "${PUSH:-1}" = 0 ] && OUTPUT=(--load)
build() { # build FLAVOUR TAG
  echo "== $REPO:$2 from images/Dockerfile.$1"
  docker buildx build --platform "$PLATFORM" -f "$ROOT/images/Dockerfile.$1" -t "$REPO:$2" "${OUTPUT[@]}" "$ROOT"
}
case "$WHICH" in
  cpu) build cpu "$VERSION" ;;
  gpu) build gpu "$VERSION-gpu" ;;
  all) build cpu "$VERSION"; build gpu "$VERSION-gpu" ;;
  *) echo "build-push: unknown variant '$WHICH' (cpu, gpu or all)" >&2; exit 2 ;;
esac
