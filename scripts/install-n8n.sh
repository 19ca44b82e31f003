#!/usr/bin/env bash
# Installs a pinned n8n into its own git-ignored folder, once per package set and Node ABI. A second call finds the
# stamp and returns at once. Runs unattended (CI=true, no stdin).
#
#   scripts/install-n8n.sh                     the default line: n8n 2.41.1 (scripts/n8n-runtime/) into .n8n-runtime/
#   scripts/install-n8n.sh 1.123.x             the 1.x line (scripts/n8n-runtime-1.x/) into .n8n-runtime-1.123/
#   N8N_VERSION=1.123.x scripts/install-n8n.sh the same
#   scripts/install-n8n.sh [version] --force   reinstall
#
# Which versions are pinned, their folders and the Node each runs on come from scripts/lib/runtime.js (one place for
# the tests, npm run dev and this script): n8n 2.x runs on the project's Node 24 (the `node` devDependency,
# node_modules/.bin/node); n8n 1.x on the machine's own `node` when n8n's engines allow it (Node 20–24; N8N_NODE
# picks another), so Node 20 is what the 1.x tests run on.
#
# It says what it does and about how long it takes, and while npm and the compiler are quiet it prints a line every
# 15 s (CI=true: every 60 s; INSTALL_N8N_HEARTBEAT=N sets it) with the time so far and how many packages are unpacked.
#
# Why it is done this way:
# - A plain install fails on @confluentinc/kafka-javascript's native build (a dependency n8n never loads here), so
#   everything is installed with --ignore-scripts, and only sqlite3 (n8n's database driver) is built afterwards.
#   npm 11 runs a dependency's install script only when the project allows it: each scripts/n8n-runtime*/package.json
#   carries `"allowScripts": {"sqlite3": true}`.
# - sqlite3 is compiled against the headers of the Node the runtime runs on (npm_config_nodedir, see below): that
#   Node's own include/ when it ships one for its exact version, else the npm package node-linux-<arch>@<version>
#   (what the `node` devDependency's install script would fetch). A user ~/.npmrc may point nodedir elsewhere.
# - n8n 1.123's `xlsx` dependency is a tarball URL outside the registry; scripts/n8n-runtime-1.x/package.json
#   overrides it with the registry's xlsx 0.18.5 (npm `overrides`), which the lockfile records.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FORCE=0
REQUESTED="${N8N_VERSION:-}"
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) printf '[install-n8n] unknown option %s\n' "$arg" >&2; exit 2 ;;
    *) REQUESTED="$arg" ;;
  esac
done

log() { printf '[install-n8n] %s\n' "$*" >&2; }

# Said as it goes (a first `npm run dev` spends about five minutes here, most of them quiet: npm prints nothing until
# it is done, and the compiler nothing while it builds sqlite3): what happens and about how long, then a line every
# HEARTBEAT seconds while a quiet step runs. CI (CI=true from the caller) gets a line a minute.
CALLER_CI="${CI:-}"
HEARTBEAT="${INSTALL_N8N_HEARTBEAT:-$([ "$CALLER_CI" = true ] && echo 60 || echo 15)}"
minsec() { local s="$1"; if [ "$s" -ge 60 ]; then printf '%d min %02d s' $((s / 60)) $((s % 60)); else printf '%d s' "$s"; fi; }
# quietly "<step>" <progress-command|-> <command...>: runs the command; while it runs, every HEARTBEAT s a line with
# the step, the time it has taken so far and what the progress command prints (e.g. how many packages are unpacked).
quietly() {
  local step="$1" progress="$2" started rc=0 beat
  shift 2
  started=$(date +%s)
  (
    nap=""
    trap '[ -z "$nap" ] || kill "$nap" 2>/dev/null; exit 0' TERM
    while :; do
      sleep "$HEARTBEAT" &
      nap=$!
      wait "$nap"
      kill -0 $$ 2>/dev/null || exit 0
      note=""
      [ "$progress" = - ] || note=", $($progress)"
      log "  … $step: $(minsec $(( $(date +%s) - started )))$note"
    done
  ) &
  beat=$!
  "$@" || rc=$?
  kill "$beat" 2>/dev/null || true
  wait "$beat" 2>/dev/null || true
  return "$rc"
}

NODE24_BIN="$ROOT/node_modules/.bin"
if [ ! -x "$NODE24_BIN/node" ]; then
  log "missing $NODE24_BIN/node (the Node 24 devDependency): run 'npm ci' in $ROOT first"
  exit 1
fi

# N8N_EXACT_VERSION, N8N_SRC, N8N_RUNTIME, N8N_NODE_BIN, N8N_NODE_VERSION, N8N_ENGINES
vars="$("$NODE24_BIN/node" "$ROOT/scripts/lib/runtime.js" "$REQUESTED")" || exit 2
eval "$vars"
SRC="$N8N_SRC"
RUNTIME="$N8N_RUNTIME"
STAMP="$RUNTIME/.installed"
mkdir -p "$RUNTIME"

# npm, node-gyp and the sqlite3 check all run on the runtime's Node.
export PATH="$(dirname "$N8N_NODE_BIN"):$PATH"
if [ "$(node -p process.versions.node)" != "$N8N_NODE_VERSION" ]; then
  log "node on PATH is $(node -v), expected $N8N_NODE_VERSION ($N8N_NODE_BIN)"
  exit 1
fi
NODE_ABI="$(node -p process.versions.modules)"

# What the stamp records: the wanted package set and the Node ABI sqlite3 was built for.
WANT="$(cat "$SRC/package.json" "$SRC/package-lock.json" | sha256sum | cut -c1-16) node-abi-$NODE_ABI"

sqlite_binding() { find "$RUNTIME/node_modules/sqlite3/build" -name node_sqlite3.node -print -quit 2>/dev/null || true; }

if [ "$FORCE" = 0 ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] \
   && [ -x "$RUNTIME/node_modules/.bin/n8n" ] && [ -n "$(sqlite_binding)" ]; then
  log "n8n $N8N_EXACT_VERSION already installed in $RUNTIME (Node $N8N_NODE_VERSION)"
  exit 0
fi

# Headers of the runtime's Node for node-gyp. A Node installed with its headers (<prefix>/include/node, as Debian's
# and NodeSource's packages and the official tarballs ship them) is used as it is; otherwise they come from the npm
# package that carries this Node's binary and headers (node-linux-<arch>@<version>), fetched once with `npm pack`;
# only include/ is kept.
NODEDIR=""
PREFIX="$(cd "$(dirname "$(readlink -f "$N8N_NODE_BIN")")/.." && pwd)"
header_version() {
  local h="$1/include/node/node_version.h"
  [ -f "$h" ] && [ -f "$1/include/node/node_api.h" ] || return 0
  awk '/define NODE_(MAJOR|MINOR|PATCH)_VERSION /{v[$2]=$3} END{print v["NODE_MAJOR_VERSION"]"."v["NODE_MINOR_VERSION"]"."v["NODE_PATCH_VERSION"]}' "$h"
}
if [ "$(header_version "$PREFIX")" = "$N8N_NODE_VERSION" ]; then
  NODEDIR="$PREFIX"
else
  NODEDIR="$RUNTIME/node-headers"
  if [ ! -f "$NODEDIR/include/node/node_api.h" ] || [ "$(cat "$NODEDIR/.version" 2>/dev/null)" != "$N8N_NODE_VERSION" ]; then
    pkg="node-linux-$(node -p process.arch)@$N8N_NODE_VERSION"
    log "fetching the Node headers ($pkg)"
    tmp="$(mktemp -d)"
    (cd "$tmp" && CI=true npm pack --silent --loglevel=error "$pkg" </dev/null >/dev/null)
    tar -xzf "$tmp"/*.tgz -C "$tmp" package/include
    rm -rf "$NODEDIR"
    mkdir -p "$NODEDIR"
    mv "$tmp/package/include" "$NODEDIR/include"
    echo "$N8N_NODE_VERSION" > "$NODEDIR/.version"
    rm -rf "$tmp"
  fi
fi

START=$(date +%s)
rm -f "$STAMP"
cp "$SRC/package.json" "$SRC/package-lock.json" "$RUNTIME/"
cat > "$RUNTIME/.npmrc" <<'EOF'
fund=false
audit=false
update-notifier=false
omit-lockfile-registry-resolved=true
EOF

export CI=true
export npm_config_yes=true
export npm_config_nodedir="$NODEDIR"
export npm_config_loglevel="${npm_config_loglevel:-error}"

cd "$RUNTIME"
# How far npm is: the packages whose package.json is in node_modules/ (npm makes every folder at once, then fills
# them); of about as many as the lockfile lists for this platform (a few it lists are not installed, hence "about").
PACKAGES="$(node -e "
const lock = require('./package-lock.json');
const fits = (list, v) => !list || (list.some((x) => !x.startsWith('!')) ? list.includes(v) : !list.includes('!' + v));
const top = Object.entries(lock.packages).filter(([p, m]) => /^node_modules\/(@[^/]+\/)?[^/]+\$/.test(p) && fits(m.os, process.platform) && fits(m.cpu, process.arch));
console.log((Math.round(top.length / 100) * 100).toLocaleString('en-US'));
")"
unpacked() {
  printf '%s of about %s packages unpacked' \
    "$({ ls node_modules/[!@]*/package.json node_modules/@*/*/package.json 2>/dev/null || true; } | wc -l)" "$PACKAGES"
}
SHOWN_RUNTIME="${RUNTIME#"$ROOT"/}"
log "installing n8n $N8N_EXACT_VERSION into $SHOWN_RUNTIME/ (Node $N8N_NODE_VERSION): once, later runs reuse it."
log "  About 5 minutes: npm unpacks about $PACKAGES packages (3-5 min), then the C compiler builds sqlite3, n8n's"
log "  database driver (1-2 min). Neither says much, so a line every $HEARTBEAT s shows how far it is."
quietly "npm ci" unpacked npm ci --ignore-scripts --no-audit --no-fund </dev/null
log "building sqlite3 against the Node $N8N_NODE_VERSION headers ($NODEDIR): 1-2 min"
quietly "building sqlite3" - npm rebuild sqlite3 </dev/null
if [ -z "$(sqlite_binding)" ]; then
  log "sqlite3 did not build (no node_sqlite3.node); python3, make and g++ are needed"
  exit 1
fi
node -e "require('$RUNTIME/node_modules/sqlite3')" || { log "sqlite3 does not load on $(node -v)"; exit 1; }
echo "$WANT" > "$STAMP"
log "done in $(( $(date +%s) - START )) s: n8n $N8N_EXACT_VERSION, $RUNTIME/node_modules/.bin/n8n on Node $N8N_NODE_VERSION"
