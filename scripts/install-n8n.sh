#!/usr/bin/env bash
# Installs the pinned n8n (see scripts/n8n-runtime/package.json and its lockfile) into .n8n-runtime/, once.
# A second call finds the stamp and returns at once. Runs unattended (CI=true, no stdin).
#
#   scripts/install-n8n.sh            install if missing or out of date
#   scripts/install-n8n.sh --force    reinstall
#
# Why it is done this way:
# - n8n 2.41 needs Node >= 24: the project's devDependency `node` provides it (node_modules/.bin/node), and it is
#   put first on PATH so npm, node-gyp and n8n all run on it.
# - A plain install fails on @confluentinc/kafka-javascript's native build (a dependency n8n never loads here), so
#   everything is installed with --ignore-scripts, and only sqlite3 (n8n's database driver) is built afterwards.
#   npm 11 runs a dependency's install script only when the project allows it: scripts/n8n-runtime/package.json
#   carries `"allowScripts": {"sqlite3": true}`.
# - sqlite3 is compiled against the Node 24 headers that ship with the `node` devDependency (npm_config_nodedir);
#   a user ~/.npmrc may point nodedir at Node 20's headers.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$ROOT/scripts/n8n-runtime"
RUNTIME="${N8N_RUNTIME_DIR:-$ROOT/.n8n-runtime}"
STAMP="$RUNTIME/.installed"
FORCE=0
[ "${1:-}" = "--force" ] && FORCE=1

log() { printf '[install-n8n] %s\n' "$*" >&2; }

NODE_BIN="$ROOT/node_modules/.bin"
if [ ! -x "$NODE_BIN/node" ]; then
  log "missing $NODE_BIN/node (the Node 24 devDependency): run 'npm ci' in $ROOT first"
  exit 1
fi
export PATH="$NODE_BIN:$PATH"
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$NODE_MAJOR" -lt 24 ]; then
  log "node on PATH is $(node -v); n8n 2.41 needs Node >= 24"
  exit 1
fi

# What the stamp records: the wanted package set and the Node ABI sqlite3 was built for.
WANT="$(cat "$SRC/package.json" "$SRC/package-lock.json" | sha256sum | cut -c1-16) node-abi-$(node -p process.versions.modules)"

sqlite_binding() { find "$RUNTIME/node_modules/sqlite3/build" -name node_sqlite3.node -print -quit 2>/dev/null || true; }

if [ "$FORCE" = 0 ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] \
   && [ -x "$RUNTIME/node_modules/.bin/n8n" ] && [ -n "$(sqlite_binding)" ]; then
  log "n8n $(node -p "require('$RUNTIME/node_modules/n8n/package.json').version") already installed in $RUNTIME"
  exit 0
fi

NODEDIR=""
for d in "$ROOT"/node_modules/node/node_modules/node-linux-* "$ROOT"/node_modules/node-linux-*; do
  if [ -f "$d/include/node/node_api.h" ]; then NODEDIR="$d"; break; fi
done
if [ -z "$NODEDIR" ]; then
  log "cannot find the Node 24 headers (node_modules/node/node_modules/node-linux-*/include/node)"
  exit 1
fi

START=$(date +%s)
mkdir -p "$RUNTIME"
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
log "installing n8n $(node -p "require('./package.json').dependencies.n8n") into $RUNTIME (Node $(node -v); a few minutes)"
npm ci --ignore-scripts --no-audit --no-fund </dev/null
log "building sqlite3 against $(node -v) headers"
npm rebuild sqlite3 </dev/null
if [ -z "$(sqlite_binding)" ]; then
  log "sqlite3 did not build (no node_sqlite3.node); python3, make and g++ are needed"
  exit 1
fi
node -e "require('$RUNTIME/node_modules/sqlite3')" || { log "sqlite3 does not load"; exit 1; }
echo "$WANT" > "$STAMP"
log "done in $(( $(date +%s) - START )) s: $RUNTIME/node_modules/.bin/n8n"
