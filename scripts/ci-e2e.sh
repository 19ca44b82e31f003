#!/usr/bin/env bash
# The tests in real n8n, for CI after the unit tests (`.ci/run`), or by hand: `npm run test:real-n8n`.
# Installs the pinned n8n 2.41.1 (cached in .n8n-runtime/), Debian's chromium when missing, builds the package once,
# then runs in n8n 2.41.1 on Node 24 the end-to-end tests (n8n CLI), the server-mode tests (a schedule firing, Stop,
# webhooks) and the browser tests (editor in Chromium); then installs n8n 1.123.x (.n8n-runtime-1.123/) and runs the
# end-to-end and server-mode tests again in it, on the machine's Node 20. Every runner runs even if one fails; the
# exit status is non-zero when any failed. Unattended: CI=true, no stdin.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CI=true
export PATH="$ROOT/node_modules/.bin:$PATH"

step() { printf '\n== %s\n' "$*"; }
t0=$(date +%s)

# The two n8n lines install side by side (their own folders; 1.123 in the background with its own log): the installs
# are mostly downloads. Both are done before any test starts, so that no test runs on a loaded machine.
mkdir -p .tmp
install_1x_log="$ROOT/.tmp/install-n8n-1.123.log"
N8N_VERSION=1.123.x bash scripts/install-n8n.sh </dev/null >"$install_1x_log" 2>&1 &
install_1x_pid=$!

step "n8n 2.41.1 and, beside it, n8n 1.123.x (scripts/install-n8n.sh, cached)"
bash scripts/install-n8n.sh </dev/null
install_1x_ok=1
wait "$install_1x_pid" || install_1x_ok=0
tail -n 1 "$install_1x_log"
t_install=$(( $(date +%s) - t0 ))

if [ ! -x /usr/bin/chromium ]; then
  step "chromium (Debian package, for the browser tests)"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo -n"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -q chromium </dev/null || { $SUDO apt-get update -q </dev/null && $SUDO apt-get install -y -q chromium </dev/null; }
fi

step "build"
npm run build </dev/null

status=0
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
step "end-to-end tests in n8n (test/e2e/e2e.js)"
t1=$(date +%s)
node test/e2e/e2e.js --no-build </dev/null | tee -a "$out" || status=1

step "server-mode tests in n8n 2.41.1 (test/e2e/server-mode.js)"
node test/e2e/server-mode.js --no-build </dev/null | tee -a "$out" || status=1
t_e2e=$(( $(date +%s) - t1 ))

step "browser tests in Chromium (test/browser/browser.js)"
t2=$(date +%s)
node test/browser/browser.js --no-build </dev/null | tee -a "$out" || status=1
t_browser=$(( $(date +%s) - t2 ))

step "end-to-end and server-mode tests in n8n 1.123.x (installed above: $install_1x_log)"
t3=$(date +%s)
if [ "$install_1x_ok" -eq 1 ]; then
  node test/e2e/e2e.js --no-build --n8n 1.123.x </dev/null | tee -a "$out" || status=1
  node test/e2e/server-mode.js --no-build --n8n 1.123.x </dev/null | tee -a "$out" || status=1
  # the Hailuo Trigger again in 1.x's default binary mode (videos in the execution's data, not on disk)
  node test/e2e/server-mode.js --no-build --n8n 1.123.x --only trigger --memory-binary </dev/null | tee -a "$out" || status=1
else
  cat "$install_1x_log"
  echo "0 passed, 1 failed" | tee -a "$out"
  status=1
fi
t_1x=$(( $(date +%s) - t3 ))

# Each runner ends with "N passed, N failed"; add them up.
read -r passed failed < <(awk '/^[0-9]+ passed, [0-9]+ failed$/ { p += $1; f += $3 } END { print p + 0, f + 0 }' "$out")
[ "$failed" -gt 0 ] && status=1
printf '\nci-e2e: n8n 2.41.1 + 1.123 installs %ss, e2e + server mode %ss, browser %ss, n8n 1.123 e2e + server mode %ss, total %ss\n' \
  "$t_install" "$t_e2e" "$t_browser" "$t_1x" "$(( $(date +%s) - t0 ))"
echo "$passed passed, $failed failed"
exit $status
