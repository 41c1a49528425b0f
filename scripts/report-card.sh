#!/usr/bin/env bash
# Regenerates docs/report-card.md: one run of the whole catalogue against every bundled driver
# (reference client, Python naive, Python robust, comfy-ui-client, the third-party clients of
# clients/third-party) on the network transport with
# a real Toxiproxy (.tools/bin, from scripts/install-toxiproxy.sh), report in reports/report-card/,
# then scripts/report-card.ts turns its results.json into the Markdown table. A few minutes.
# The relays of clients/relays run the relay scenarios (group 8) in the same run.
# Every client runs on every ComfyUI release (src/simulator/profiles; REPORT_CARD_COMFYUI=0.3.64
# for the baseline alone, a third of the time), and the card has a column per version.
# REPORT_CARD_CONCURRENCY (default 4): scenarios run at once; 3 on a shared 2-core machine.
# REPORT_CARD_EXTRA: report directories of runs made apart (space-separated, e.g. the official
# frontend's, reports/report-card-frontend*), merged into the card; to merge without running again:
#   node --import tsx scripts/report-card.ts reports/report-card docs/report-card.md <extra dir>...
# Needs: npm install, scripts/install-toxiproxy.sh, scripts/install-python-drivers.sh, scripts/install-npm-clients.sh,
# scripts/install-rabbitmq.sh, Java 17 and Maven (the Spring relay is built by its profile).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$root/.tools/bin:$PATH"
if [[ -z "${TOXIPROXY_URL:-}" && -x .tools/bin/toxiproxy-server ]]; then export TOXIPROXY_BIN="$root/.tools/bin/toxiproxy-server"; fi

# Relative to the repository, so the card does not carry this machine's paths.
python="${COMFY_CHAOS_PYTHON:-.tools/venv/bin/python}"
if ! "$python" -c 'import websocket, comfy_toolkit, comfyapi, comfyui_utils, comfyuiclient' 2>/dev/null; then
  echo "report-card: $python cannot run the Python drivers; run scripts/install-python-drivers.sh" >&2
  exit 2
fi
if [[ ! -d clients/third-party/stable-canvas-comfyui-client/node_modules/@stable-canvas/comfyui-client || ! -d clients/third-party/saintno-comfyui-sdk/node_modules/@saintno/comfyui-sdk ]]; then
  echo "report-card: the third-party npm clients are not installed; run scripts/install-npm-clients.sh" >&2
  exit 2
fi

report=reports/report-card
rm -rf "$report"
mkdir -p "$report"
# What was run: others commit to (and edit) the same checkout during a long run; the card says which.
node -e '
  const { execFileSync } = require("node:child_process");
  const git = (...a) => execFileSync("git", a, { encoding: "utf8" }).trimEnd();
  const [commit, committedAt, ...subject] = git("log", "-1", "--format=%H%n%cI%n%s").split("\n");
  const modified = git("status", "--porcelain", "--untracked-files=no").split("\n").filter(Boolean).map((l) => l.slice(3));
  require("node:fs").writeFileSync(process.argv[1], JSON.stringify({ commit, committedAt, subject: subject.join(" "), modified }, null, 2) + "\n");
' "$report/checkout.json"
status=0
# --strict: without Toxiproxy the group-4 scenarios would be skipped, and the card would lie.
node bin/comfy-chaos.js run --strict --transport network --concurrency "${REPORT_CARD_CONCURRENCY:-4}" --seed 1 \
  --client reference \
  --client "$python clients/python/naive_driver.py" \
  --client "$python clients/python/robust_driver.py" \
  --client "node clients/comfy-ui-client/driver.mjs" \
  --client "$python clients/third-party/comfy-toolkit/driver.py" \
  --client "$python clients/third-party/comfyapi/driver.py" \
  --client "$python clients/third-party/comfyui-utils/driver.py" \
  --client "$python clients/third-party/comfyui-workflow-client/driver.py" \
  --client "node clients/third-party/stable-canvas-comfyui-client/driver.mjs" \
  --client "node clients/third-party/saintno-comfyui-sdk/driver.mjs" \
  --relay reference-socketio reference-stomp spring-stomp flask-socketio \
  --comfyui ${REPORT_CARD_COMFYUI:-all} \
  --report "$report" &
run=$!
# A run that has written its whole report but does not exit (a handle left open) is stopped after
# a grace period rather than waited for: the report is what the card needs.
lingered=0
while kill -0 "$run" 2>/dev/null; do
  if [[ -f "$report/results.json" && -f "$report/index.html" ]] && (( ++lingered > 60 )); then
    echo "report-card: WARNING: the run wrote its report but had not exited 60 s later; stopping it (pid $run)" >&2
    kill "$run"
    break
  fi
  sleep 1
done
wait "$run" || status=$?
if (( status > 1 )) && [[ -f "$report/results.json" && -f "$report/index.html" ]] && (( lingered > 60 )); then status=1; fi
# Exit 1 means some scenario failed, which the naive drivers are there to do; 2 is a real problem.
if (( status > 1 )) || [[ ! -f "$report/results.json" ]]; then
  echo "report-card: the run failed (exit $status, see above); docs/report-card.md is unchanged" >&2
  exit $(( status > 1 ? status : 2 ))
fi
mkdir -p docs
node --import tsx scripts/report-card.ts "$report" docs/report-card.md
