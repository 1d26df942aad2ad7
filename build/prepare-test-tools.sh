#!/usr/bin/env bash
# Prepares test helpers that live outside .NET: ONNX Runtime for Node (tests/onnxruntime), which the
# FreeEnergy.Onnx tests use to run exported graphs. Idempotent and quiet: does nothing when the pinned
# package is already installed. Installs with --ignore-scripts: the CPU runtime (libonnxruntime for
# linux-x64, win32 and darwin) ships inside the package; the skipped install script only fetches CUDA add-ons.
set -euo pipefail
cd "$(dirname "$0")/.."
harness=tests/onnxruntime
want=$(sed -n 's/.*"onnxruntime-node": *"\([^"]*\)".*/\1/p' "$harness/package.json")
have=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$harness/node_modules/onnxruntime-node/package.json" 2>/dev/null | head -1 || true)
if [ -n "$have" ] && [ "$have" = "$want" ]; then exit 0; fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "error: Node.js and npm are needed for the ONNX Runtime tests (tests/onnxruntime): install Node.js 18 or newer (e.g. apt-get install nodejs npm)." >&2
  exit 1
fi
echo "prepare-test-tools: installing onnxruntime-node $want into $harness (npm ci --ignore-scripts)"
log=$(mktemp)
if ! (cd "$harness" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >"$log" 2>&1; then
  cat "$log" >&2; rm -f "$log"
  echo "error: npm could not install onnxruntime-node $want into $harness (see above)." >&2
  exit 1
fi
rm -f "$log"
if ! (cd "$harness" && node -e "require('onnxruntime-node')") >/dev/null 2>&1; then
  echo "error: onnxruntime-node $want installed but does not load on this machine ($(uname -sm))." >&2
  exit 1
fi
