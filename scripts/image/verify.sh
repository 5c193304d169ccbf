#!/usr/bin/env bash
# Checks the spnas image (built without a container engine by scripts/image/build-image.sh, or found in
# its cache) by running its own config in a chroot, as faithfully as this machine allows without a
# container runtime: uid 10001, only the image's environment, tini as PID 1 of a new PID namespace, a
# read-only root, a tmpfs /tmp. Heavy and opt-in: root; the build dominates (cold 20-30 min on 2 shared
# cores, cached after). The same image also runs as real pods on a kubelet: test/node/ (npm run test:node).
#
#   sudo bash scripts/image/verify.sh [cpu|gpu-app] [--refresh-base]   # writes bench/image/verify-<variant>.json
#
# cpu:     the CPU image, as images/Dockerfile.cpu builds it.
# gpu-app: the GPU image's application layer (build-app.sh gpu: tfjs-node-gpu against the `tensorflow`
#          wheel) and Dockerfile.gpu's config, but on the Debian base instead of the CUDA one (which
#          cannot be pulled here): checks that the GPU build compiles, loads, and runs TensorFlow on
#          the CPU when no GPU is visible. The CUDA base and a real GPU stay unverified.
#
# Checks: --help and the default command exit 0; `node --version` is the Dockerfile's NODE_VERSION;
# `spnas backend --json` names the flavour's native backend; a small latency profile and a small
# training run (`spnas run-activity trainModel`, 2 epochs of 256 CIFAR-10 images from
# ../shared/data/cifar10-jpeg, bind-mounted read-only) write only to /tmp; the user is 10001; the root is
# read-only; no compiler, npm, python, header, dev dependency or apt list is in the image.
# Not verified here: Docker/BuildKit parsing the Dockerfiles, the exact bytes of the official base
# images, the CUDA base and a GPU.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
[ "$(id -u)" = 0 ] || { echo "verify.sh: needs root (debootstrap, chroot, mounts)" >&2; exit 2; }
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then export PATH="$PATH:/usr/local/go/bin"; fi

VARIANT=cpu; REFRESH=0
for a in "$@"; do
  case "$a" in
    cpu|gpu-app) VARIANT="$a" ;;
    --refresh-base) REFRESH=1 ;;
    *) echo "verify.sh: unknown argument '$a' (cpu, gpu-app, --refresh-base)" >&2; exit 2 ;;
  esac
done
FLAVOUR="${VARIANT%-app}"        # build-app.sh flavour and Dockerfile: cpu | gpu
DF="$ROOT/images/Dockerfile.$FLAVOUR"
NODE_VERSION="$(sed -n 's/^ARG NODE_VERSION=//p' "$DF")"
SUITE=bookworm
DATA="${SPNAS_VERIFY_DATA:-$ROOT/../shared/data/cifar10-jpeg/train-000000.tar}"
[ -f "$DATA" ] || { echo "verify.sh: no training shard at $DATA (set SPNAS_VERIFY_DATA to a CIFAR-10 tar shard)" >&2; exit 2; }
CACHE="${SPNAS_CACHE_DIR:-$HOME/.cache/spnas}/image"
W="$CACHE/work-$VARIANT"
OUT="$ROOT/bench/image/verify-$VARIANT.json"
log() { echo "[verify-image] $*"; }
mkdir -p "$(dirname "$OUT")"
START=$SECONDS

# --- the image: built (or found in the cache) by build-image.sh, then flattened for a chroot -----------
bash "$ROOT/scripts/image/build-image.sh" "$VARIANT" $([ "$REFRESH" = 1 ] && echo --refresh-base)
INFO="$ROOT/.tools/image/spnas-$VARIANT/image.json"
umount_all() {
  for m in "$W/img/data" "$W/img/tmp" "$W/img/proc" "$W/img/dev" "$W/img"; do
    mountpoint -q "$m" 2>/dev/null && umount -l "$m" || true
  done
}
trap umount_all EXIT
umount_all
rm -rf --one-file-system "$W"; mkdir -p "$W/img" "$W/oci"
(cd "$ROOT" && echo "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!bench' || echo +dirty)") >"$W/out-source.txt"
tar -xf "$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['archive'])" "$INFO")" -C "$W/oci"
# The layers in the manifest's order (they add files only: no whiteouts to apply), and the config.
python3 - "$W/oci" "$W/config.json" "$W/manifest.json" <<'PY' | while read -r layer; do tar -xzf "$layer" -C "$W/img"; done
import json, sys
oci, config_out, manifest_out = sys.argv[1:]
blob = lambda d: f"{oci}/blobs/sha256/{d.split(':')[1]}"
manifest = json.load(open(blob(json.load(open(f"{oci}/index.json"))["manifests"][0]["digest"])))
json.dump(manifest, open(manifest_out, "w"))
json.dump(json.load(open(blob(manifest["config"]["digest"]))), open(config_out, "w"))
for l in manifest["layers"]: print(blob(l["digest"]))
PY
rm -rf "$W/oci"

# --- run the image's entrypoint the way a kubelet would with the chart's security context -----------
log "running the entrypoint in a chroot: uid 10001, read-only root, tmpfs /tmp"
mkdir -p "$W/img/data"
mount --bind "$W/img" "$W/img"; mount -o remount,bind,ro "$W/img"
mount --bind "$(dirname "$DATA")" "$W/img/data"; mount -o remount,bind,ro "$W/img/data"
mount -t tmpfs -o size=1g,mode=1777 tmpfs "$W/img/tmp"
# A minimal /dev of its own (as a runtime gives a container), never the host's.
mount -t tmpfs -o size=64k,mode=755 tmpfs "$W/img/dev"
for d in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
  IFS=: read -r name major minor <<<"$d"; mknod -m 666 "$W/img/dev/$name" c "$major" "$minor"
done
# run ARGS...: the config's entrypoint + ARGS (or its cmd), as its user, with only its env, in its
# workdir, as PID 1 of a new PID namespace with its own /proc (as in a container: tini is PID 1).
run() {
  timeout 900 unshare --pid --fork --mount --mount-proc="$W/img/proc" python3 - "$W/config.json" "$W/img" "$@" <<'PY'
import json, os, sys
cfg = json.load(open(sys.argv[1]))["config"]
root, args = sys.argv[2], sys.argv[3:]
argv = cfg["Entrypoint"] + (args or cfg.get("Cmd") or [])
uid, gid = (int(x) for x in cfg["User"].split(":"))
env = dict(e.split("=", 1) for e in cfg["Env"])
exe = argv[0] if "/" in argv[0] else next(p + "/" + argv[0] for p in env["PATH"].split(":") if os.path.exists(root + p + "/" + argv[0]))
os.chroot(root); os.chdir(cfg["WorkingDir"]); os.setgroups([]); os.setgid(gid); os.setuid(uid)
os.execve(exe, argv, env)
PY
}
# Each check's output goes to a file that the summary below reads.
rc() { local name="$1"; shift; local code=0; "$@" >"$W/out-$name.txt" 2>"$W/err-$name.txt" || code=$?; echo "$code" >"$W/rc-$name.txt"; }
rc help run --help
rc backend run backend --json
rc default run
# Real native compute, writing only to /tmp: a tiny latency profile (builds and times conv nets).
rc profile run profile --space cifar-tiny --out /tmp/table.json --repeats 2 --warmup 1 --samples 0
rc table chroot --userspec=10001:10001 "$W/img" /bin/sh -c 'test -s /tmp/table.json && echo written'
rc node chroot --userspec=10001:10001 "$W/img" /usr/local/bin/node --version
# A small training run through the Job container's own command: input.json in, result.json out.
chroot --userspec=10001:10001 "$W/img" /bin/sh -c "mkdir -p /tmp/io && cat >/tmp/io/input.json" <<JSON
{"space": "cifar-tiny", "architecture": "k3e3,skip,k5e6+se,skip,k3e6", "out": "/tmp/run", "measureLatency": false,
 "data": {"uri": "/data/$(basename "$DATA")", "limit": 320, "valCount": 64}, "config": {"epochs": 2, "batchSize": 32}}
JSON
rc train run run-activity trainModel --input /tmp/io
rc trainResult chroot --userspec=10001:10001 "$W/img" /bin/cat /tmp/io/result.json
rc id chroot --userspec=10001:10001 "$W/img" /usr/bin/id
rc rootfs chroot --userspec=10001:10001 "$W/img" /bin/sh -c 'touch /opt/spnas/x 2>/dev/null && echo writable || echo read-only'
rc tmp chroot --userspec=10001:10001 "$W/img" /bin/sh -c 'touch /tmp/x && echo writable'
umount_all

# What must NOT be in the runtime image: build tools, headers, dev dependencies, package lists.
: >"$W/out-forbidden.txt"
for t in gcc g++ cc c++ make python3 npm npx node-gyp yarn corepack; do
  for d in usr/bin usr/local/bin bin; do [ -e "$W/img/$d/$t" ] && echo "$d/$t" >>"$W/out-forbidden.txt"; done
done
for p in typescript eslint typescript-eslint @temporalio/testing; do
  [ -e "$W/img/opt/spnas/node_modules/$p" ] && echo "node_modules/$p" >>"$W/out-forbidden.txt"
done
find "$W/img/opt/spnas/node_modules/@tensorflow" \( -name '*.h' -o -name '*.cc' -o -name '*.o' \) | sed "s#^$W/img/##" >>"$W/out-forbidden.txt"
find "$W/img/var/lib/apt/lists" -type f ! -name lock 2>/dev/null | sed "s#^$W/img/##" >>"$W/out-forbidden.txt"
du -sb "$W/img" | cut -f1 >"$W/out-unpacked.txt"

python3 - "$OUT" "$W" "$NODE_VERSION" "$SUITE" "$((SECONDS - START))" "$VARIANT" "$FLAVOUR" "$INFO" <<'PY'
import json, sys
out, w, node, suite, seconds, variant, flavour = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6], sys.argv[7]
def text(name, kind="out"): return open(f"{w}/{kind}-{name}.txt").read().strip()
def code(name): return int(text(name, "rc"))
cfg = json.load(open(f"{w}/config.json"))["config"]
manifest = json.load(open(f"{w}/manifest.json"))
try: backend = json.loads(text("backend"))
except ValueError: backend = None
res = {
  "what": f"{variant}: built without a container engine by scripts/image/build-image.sh, checked by scripts/image/verify.sh; see docs/operators.md 'Images'",
  "source": text("source"), "node": node, "base": f"debootstrap --variant=minbase {suite}",
  "config": {k: cfg.get(k) for k in ("Entrypoint", "Cmd", "User", "WorkingDir", "Env")},
  "nodeVersion": text("node"),
  "train": {"exitCode": code("train"), "result": json.loads(text("trainResult") or "null"), "stderrTail": text("train", "err")[-300:]},
  "help": {"exitCode": code("help"), "firstLine": (text("help") or text("help", "err")).splitlines()[0:1]},
  "defaultCmd": {"exitCode": code("default")},
  "profile": {"exitCode": code("profile"), "table": text("table"), "stderrTail": text("profile", "err")[-300:]},
  "backend": {"exitCode": code("backend"), "json": backend, "stderr": text("backend", "err")[-400:]},
  "id": text("id"), "rootFilesystem": text("rootfs"), "tmp": text("tmp"),
  "forbiddenPresent": text("forbidden").split(),
  "layers": len(manifest["layers"]),
  "compressedBytes": sum(l["size"] for l in manifest["layers"]),
  "unpackedBytes": int(text("unpacked")),
  "image": json.load(open(sys.argv[8])),
  "seconds": seconds,
}
res["ok"] = (res["help"]["exitCode"] == 0 and res["defaultCmd"]["exitCode"] == 0 and res["backend"]["exitCode"] == 0
  and res["profile"]["exitCode"] == 0 and res["profile"]["table"] == "written" and res["nodeVersion"] == f"v{node}"
  and res["train"]["exitCode"] == 0 and (res["train"]["result"] or {}).get("steps") == 16
  and (backend or {}).get("kind") == flavour and (backend or {}).get("backend") == "tensorflow"
  and res["id"].startswith("uid=10001(spnas)") and res["rootFilesystem"] == "read-only" and res["tmp"] == "writable"
  and not res["forbiddenPresent"] and cfg.get("User") == "10001:10001")
with open(out, "w") as f:
  json.dump(res, f, indent=2); f.write("\n")
print(json.dumps(res, indent=2))
sys.exit(0 if res["ok"] else 1)
PY
# Kept for a look when a check failed (the python above exits 1 first); otherwise 1.6 GB for nothing.
rm -rf --one-file-system "$W"
