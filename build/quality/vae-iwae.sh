#!/usr/bin/env bash
# Hierarchical VAE and importance-weighted training on binarised MNIST (Burda et al. 2016, table 1): one level
# (784-200-200-50) and two levels (784-200-200-100, 100-100-50), tanh, each trained with the ELBO and with IWAE-K for the
# same epochs; prints the JSON of `freeenergy bench iwae` (test -log p(x) by IWAE-S per run, CPU seconds per epoch, the
# ratios two-level/one-level and IWAE-K/ELBO) and keeps it in $OUT/bench-iwae.json.
# Usage: build/quality/vae-iwae.sh [DATA_DIR] ; env: EPOCHS (100; the paper trains 3,280), IWAE (5), TEST_SAMPLES (5000),
#        MAX_ROWS / TEST_ROWS (0 = all; smoke runs), THREADS (0 = all), STAGES (1 = the paper's lr stages),
#        DYNAMIC (1 = dynamic binarisation of the training images per epoch, as the paper), WARMUP (KL warm-up epochs, 0 = off;
#        the paper has none), ROUNDS (1; more trains every configuration that many times, alternating, for steadier
#        epoch-cost ratios on a shared machine), OUT (artifacts/quality/vae)
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${1:-}
if [ -z "$data" ]; then for d in "${FREEENERGY_MNIST:-}" data/mnist ../shared/data/mnist; do [ -n "$d" ] && [ -f "$d/t10k-images-idx3-ubyte.gz" ] && data=$d && break; done; fi
[ -n "$data" ] || { echo "error: MNIST not found; run build/fetch-mnist.sh first" >&2; exit 2; }
out=${OUT:-artifacts/quality/vae}
mkdir -p "$out"
dotnet build src/FreeEnergy.Cli -c Release -nologo -v q >/dev/null
flags=(); [ "${STAGES:-0}" = 1 ] && flags=(--lr-stages)
[ "${DYNAMIC:-0}" = 1 ] && flags+=(--dynamic-binarize)
flags+=(--kl-warmup "${WARMUP:-0}")
dotnet src/FreeEnergy.Cli/bin/Release/net10.0/FreeEnergy.Cli.dll bench iwae --data "$data" --epochs "${EPOCHS:-100}" --iwae "${IWAE:-5}" \
  --test-samples "${TEST_SAMPLES:-5000}" --max-rows "${MAX_ROWS:-0}" --test-rows "${TEST_ROWS:-0}" --threads "${THREADS:-0}" --rounds "${ROUNDS:-1}" "${flags[@]}" --json \
  | tee "$out/bench-iwae.json"
