#!/usr/bin/env bash
# The end-to-end tests (n8n CLI: test/e2e/e2e.js) in n8n 1.123.x on Node 22, once; .ci/run runs it after the real-n8n
# step. The README promises Node 20, 22 and 24 for n8n 1.x; CI runs 1.123 on the machine's Node 20 (scripts/ci-e2e.sh)
# and this adds Node 22. Unattended: CI=true, no stdin. Ends with e2e.js's "N passed, N failed".
#
# What it costs, and why it is cheap:
# - Node 22 is the npm package node-linux-<arch>@NODE22_VERSION (the package the `node` devDependency takes its Node
#   24 from), fetched once with `npm pack` into .n8n-runtime-node22/ (git-ignored, kept between runs): about 30 MB.
# - n8n 1.123 is not installed a second time. Its runtime for Node 22 (.n8n-runtime-1.123-node22/) is a hard-link
#   copy of the one scripts/ci-e2e.sh installed for Node 20 (.n8n-runtime-1.123/): its only compiled module, sqlite3,
#   is built for Node-API and loads on Node 22 unchanged (checked before use), and isolated-vm ships a Node 22 build
#   (so on Node 22 n8n 1.123 evaluates expressions in its default vm engine, which Node 20 cannot load). The copy gets
#   the stamp scripts/install-n8n.sh writes for that package set and Node ABI, so the install the tests ask for finds
#   it done. It must be a copy: scripts/install-n8n.sh stamps a runtime with one Node ABI and reinstalls it for
#   another, so pointing Node 22 at the Node 20 runtime itself would reinstall it under every other test.
# - Then the CLI end-to-end tests only, not the server-mode ones: they run the examples and their error variants,
#   in filesystem and in 1.x's default in-memory binary mode, which is where a Node version shows.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CI=true
export PATH="$ROOT/node_modules/.bin:$PATH"

NODE22_VERSION=22.23.3
NODE22_DIR="$ROOT/.n8n-runtime-node22"
NODE22="$NODE22_DIR/bin/node"
t0=$(date +%s)

if [ ! -x "$NODE22" ] || [ "$("$NODE22" -v 2>/dev/null)" != "v$NODE22_VERSION" ]; then
  pkg="node-linux-$(node -p process.arch)@$NODE22_VERSION"
  echo "[e2e-node22] fetching Node $NODE22_VERSION ($pkg)"
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent --loglevel=error "$pkg" </dev/null >/dev/null)
  rm -rf "$NODE22_DIR"
  mkdir -p "$NODE22_DIR"
  tar -xzf "$tmp"/*.tgz -C "$NODE22_DIR" --strip-components=1 package/bin/node
  rm -rf "$tmp"
fi
echo "[e2e-node22] $("$NODE22" -v) at $NODE22"

# n8n 1.123 for Node 20, as scripts/ci-e2e.sh installed it (cached: returns at once when it is there).
env -u N8N_NODE -u N8N_RUNTIME_DIR N8N_VERSION=1.123.x bash scripts/install-n8n.sh </dev/null
rt_json="$(env -u N8N_NODE -u N8N_RUNTIME_DIR node scripts/lib/runtime.js 1.123.x --json)"
RT20="$(node -e 'const r = JSON.parse(process.argv[1]); console.log(r.dir)' "$rt_json")"
SRC="$(node -e 'const r = JSON.parse(process.argv[1]); console.log(r.srcDir)' "$rt_json")"
RT22="$ROOT/.n8n-runtime-1.123-node22"
# The stamp scripts/install-n8n.sh writes and checks: the pinned package set and the Node ABI.
WANT="$(cat "$SRC/package.json" "$SRC/package-lock.json" | sha256sum | cut -c1-16) node-abi-$("$NODE22" -p process.versions.modules)"
if [ "$(cat "$RT22/.installed" 2>/dev/null)" != "$WANT" ] || [ ! -x "$RT22/node_modules/.bin/n8n" ]; then
  echo "[e2e-node22] $RT22: hard-link copy of $RT20"
  rm -rf "$RT22"
  mkdir -p "$RT22"
  cp -al "$RT20/node_modules" "$RT22/node_modules"
  cp "$RT20/package.json" "$RT20/package-lock.json" "$RT20/.npmrc" "$RT22/"
  "$NODE22" -e "require('$RT22/node_modules/sqlite3')" \
    || { echo "[e2e-node22] n8n 1.123's sqlite3 does not load on Node 22"; echo "0 passed, 1 failed"; exit 1; }
  echo "$WANT" > "$RT22/.installed"
fi
export N8N_NODE="$NODE22" N8N_RUNTIME_DIR="$RT22"
bash scripts/install-n8n.sh 1.123.x </dev/null
echo "[e2e-node22] ready in $(( $(date +%s) - t0 )) s"

status=0
node test/e2e/e2e.js --no-build --n8n 1.123.x </dev/null || status=1
echo "[e2e-node22] took $(( $(date +%s) - t0 )) s"
exit $status
