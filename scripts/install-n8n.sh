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
# - sqlite3 is compiled against this Node 24's own headers (npm_config_nodedir, see below); a user ~/.npmrc may
#   point nodedir at Node 20's headers.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$ROOT/scripts/n8n-runtime"
RUNTIME="${N8N_RUNTIME_DIR:-$ROOT/.n8n-runtime}"
STAMP="$RUNTIME/.installed"
mkdir -p "$RUNTIME"
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

# Node 24 headers for node-gyp, from the npm package that carries this Node's binary and headers
# (node-linux-<arch>@<version>, what the `node` devDependency's install script would fetch; npm 11 skips that script
# unless approved). Fetched once with `npm pack`; only include/ is kept.
NODEDIR="$RUNTIME/node-headers"
if [ ! -f "$NODEDIR/include/node/node_api.h" ] || [ "$(cat "$NODEDIR/.version" 2>/dev/null)" != "$(node -p process.versions.node)" ]; then
  pkg="node-linux-$(node -p process.arch)@$(node -p process.versions.node)"
  log "fetching the Node headers ($pkg)"
  tmp="$(mktemp -d)"
  (cd "$tmp" && CI=true npm pack --silent --loglevel=error "$pkg" </dev/null >/dev/null)
  tar -xzf "$tmp"/*.tgz -C "$tmp" package/include
  rm -rf "$NODEDIR"
  mkdir -p "$NODEDIR"
  mv "$tmp/package/include" "$NODEDIR/include"
  node -p process.versions.node > "$NODEDIR/.version"
  rm -rf "$tmp"
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
