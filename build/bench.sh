#!/usr/bin/env bash
# Benchmarks, side by side with peers where there is one: build/bench.sh <what> [args...]
# Each <what> is a script build/bench/<what>.sh (gemm, rbm, vae, score, ...); e.g. build/bench.sh rbm grey, build/bench.sh rbm tap.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
what=${1:-}
available=$(cd "$here/bench" && ls *.sh 2>/dev/null | sed 's/\.sh$//' | tr '\n' ' ')
if [ -z "$what" ] || [ ! -x "$here/bench/$what.sh" ]; then
  echo "usage: build/bench.sh <what> [args...]   (available: ${available:-none})" >&2
  exit 2
fi
shift
exec "$here/bench/$what.sh" "$@"
