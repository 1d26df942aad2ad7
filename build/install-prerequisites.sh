#!/usr/bin/env bash
# Installs what a fresh machine may lack for building and testing. Idempotent; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET SDK (10.0) is required: https://dot.net" >&2
  exit 1
fi
echo "prerequisites: dotnet $(dotnet --version)"
# ONNX Runtime for Node (tests/onnxruntime), used by the ONNX export tests; needs Node.js and npm.
if [ -x build/prepare-test-tools.sh ]; then build/prepare-test-tools.sh; fi
