#!/usr/bin/env bash
# Generates kubeconform JSON schemas from a RUNNING API server's /openapi/v2 (never from the internet):
# kubectl get --raw /openapi/v2 -> openapi2jsonschema2 --expanded --kubernetes --stand-alone --strict.
# Cached by the document's hash under $SPNAS_CACHE_DIR/kube-schemas/<server version>-<hash>/, so a
# second run against the same server version and CRDs costs one GET.
#
#   KUBECONFIG=<test cluster kubeconfig> bash scripts/kube/gen-schemas.sh [--out DIR]
#   kubeconform -strict -summary -schema-location "$DIR/{{ .ResourceKind }}{{ .KindSuffix }}.json" manifests.yaml
#
# The last line of stdout is the schema directory. test/support/kube-cluster.ts calls this
# (cluster.generateSchemas()).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${SPNAS_CACHE_DIR:-$HOME/.cache/spnas}"
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    *) echo "usage: gen-schemas.sh [--out DIR]  (KUBECONFIG names the API server)" >&2; exit 2 ;;
  esac
done
KUBECTL="$ROOT/.tools/bin/kubectl"
O2J="$ROOT/.tools/bin/openapi2jsonschema2"
for t in "$KUBECTL" "$O2J"; do
  [ -x "$t" ] || { echo "gen-schemas: $t missing: run bash scripts/setup.sh" >&2; exit 1; }
done
: "${KUBECONFIG:?gen-schemas: set KUBECONFIG to the API server to read /openapi/v2 from}"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
"$KUBECTL" get --raw /openapi/v2 > "$TMP/openapi-v2.json"
VERSION="$("$KUBECTL" version -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["serverVersion"]["gitVersion"])')"
HASH="$(sha256sum "$TMP/openapi-v2.json" | cut -c1-16)"
[ -n "$OUT" ] || OUT="$CACHE/kube-schemas/$VERSION-$HASH"

if [ -f "$OUT/.complete" ] && [ "$(cat "$OUT/.complete")" = "$HASH" ]; then
  echo "kubeconform schemas for $VERSION already generated" >&2
  echo "$OUT"
  exit 0
fi
rm -rf "$OUT.tmp"
mkdir -p "$OUT.tmp"
# openapi2jsonschema2 resolves its own $refs against cwd + the output path (an absolute -o is doubled),
# so it runs beside the output directory with a relative -o.
(cd "$(dirname "$OUT.tmp")" && "$O2J" "file://$TMP/openapi-v2.json" --expanded --kubernetes --stand-alone --strict \
  -o "$(basename "$OUT.tmp")" > "$TMP/o2j.log" 2>&1) || { sed 's/\x1b\[[0-9;]*m//g' "$TMP/o2j.log" | tail -20 >&2; exit 1; }
# Known and harmless: it cannot convert the CRD types themselves (apiextensions' JSONSchemaProps);
# CRDs are checked by `kubectl apply --dry-run=server` instead.
sed 's/\x1b\[[0-9;]*m//g' "$TMP/o2j.log" | grep 'error occurred' | grep -v -i 'customresource\|jsonschemaprops' >&2 && {
  echo "gen-schemas: openapi2jsonschema2 failed on the types above" >&2; exit 1; }
COUNT="$(find "$OUT.tmp" -name '*.json' | wc -l)"
for k in deployment-apps-v1 job-batch-v1 role-rbac-v1 configmap-v1; do
  [ -s "$OUT.tmp/$k.json" ] || { echo "gen-schemas: $k.json was not generated ($COUNT schemas in all)" >&2; exit 1; }
done
echo "$HASH" > "$OUT.tmp/.complete"
rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
echo "generated $COUNT kubeconform schemas for $VERSION" >&2
echo "$OUT"
