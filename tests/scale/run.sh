#!/usr/bin/env bash
# Tests of scale/dask (scoring partition files on a two-process Dask LocalCluster), for build/test.sh.
# Uses FREEENERGY_WORKER_BIN when set, else artifacts/worker/freeenergy, published (build/publish-worker.sh
# --if-stale) when missing or older than a source file. Needs a python3 with Dask.distributed (Debian: python3-distributed,
# build/install-prerequisites.sh installs it). Last line: "N passed, N failed"; exit code 1 on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
python=""
for p in /usr/bin/python3 python3; do
  if command -v "$p" > /dev/null && "$p" -c 'import distributed, psutil' 2> /dev/null; then python=$p; break; fi
done
if [ -z "$python" ]; then
  echo "error: no python3 with Dask.distributed (Debian: apt-get install python3-distributed, or build/install-prerequisites.sh)"
  echo "0 passed, 1 failed"
  exit 1
fi
bin=${FREEENERGY_WORKER_BIN:-}
if [ -z "$bin" ] && ! bin=$(build/publish-worker.sh --if-stale); then
  echo "error: build/publish-worker.sh failed"
  echo "0 passed, 1 failed"
  exit 1
fi
FREEENERGY_WORKER_BIN=$(realpath "$bin") exec "$python" tests/scale/test_score_partitions.py
