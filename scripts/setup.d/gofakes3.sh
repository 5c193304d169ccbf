#!/usr/bin/env bash
# gofakes3: the S3-compatible server the storage and data tests run against (test/support/s3-server.ts).
# Built from the Go module proxy into .tools/bin (gitignored). Idempotent: skips the build when the
# installed binary already reports the pinned version's build info.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VERSION="v1.2.0"
BIN="$ROOT/.tools/bin/gofakes3"
# The Go toolchain may be installed without being on PATH (CI runs with the machine's plain environment):
# the official tarball's /usr/local/go, or Debian's versioned /usr/lib/go-1.NN (newest first).
if ! command -v go >/dev/null 2>&1; then
  for d in /usr/local/go/bin $(ls -d /usr/lib/go-1.*/bin 2>/dev/null | sort -t. -k2 -n -r); do
    if [ -x "$d/go" ]; then export PATH="$PATH:$d"; break; fi
  done
fi

if [ -x "$BIN" ] && command -v go >/dev/null 2>&1 && go version -m "$BIN" 2>/dev/null | grep -q "github.com/johannesboyne/gofakes3[[:space:]]*$VERSION"; then
  echo "gofakes3 $VERSION already installed at $BIN"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "gofakes3: 'go' is not on PATH; install Go >= 1.21 to build the test S3 server (see README 'Quick start')" >&2
  exit 1
fi
mkdir -p "$ROOT/.tools/bin"
# gofakes3 v1.2.0 declares go 1.24; an older go (>= 1.21) fetches that toolchain through the module
# proxy under the default GOTOOLCHAIN=auto.
GOBIN="$ROOT/.tools/bin" go install "github.com/johannesboyne/gofakes3/cmd/gofakes3@$VERSION"
echo "gofakes3 $VERSION installed at $BIN"
