#!/usr/bin/env bash
# CPU vs GPU parity and timing check of the CUDA backend (samples/GpuCheck), for a GPU machine without .NET.
#
#   build/gpu-check.sh publish      publish a self-contained, trimmed linux-x64 app to artifacts/gpu-check/
#   build/gpu-check.sh run [ARGS]   run the published app (ARGS: --size N (4096) --repeats R (10) --tf32
#                                   --rows N (60000) --epochs E (3) --no-training), then, where python3 has
#                                   PyTorch with CUDA, the PyTorch peers of the same RBM and VAE epochs on the GPU
#   build/gpu-check.sh [ARGS]       both
#
# The app prints one JSON object: the CUDA probe, one entry per parity check (every kernel and GEMM in all
# transpose cases: 1e-4 relative; uniform and Bernoulli draws bit-identical to the CPU Philox; Gaussian to
# one float ulp; every device-seam operation vs the host seam; device-resident RBM training vs the CPU trainer)
# and timings (SGEMM NxNxN GFLOP/s and its fraction of the FP32 peak, elementwise GB/s, seconds per epoch of
# RBM 784x500 CD-1 batch 100 and VAE 784-400-20 batch 128). The final output is one JSON object (ours + the
# PyTorch peers) on stdout and a markdown table on stderr (build/gpu-report.py); the app's own JSON is
# artifacts/gpu-check-result.json.
# --compile-only: no device needed; compiles every kernel with NVRTC for compute_80/90 (exit 0, or 3 without NVRTC).
# Exit codes: 0 all checks passed, 1 a parity check failed, 2 an error, 3 no usable CUDA device/libraries.
# On the GPU machine, ship artifacts/gpu-check/ (about 20 MB) and run ./artifacts/gpu-check/FreeEnergy.GpuCheck.
set -euo pipefail
cd "$(dirname "$0")/.."
out=artifacts/gpu-check
mode=all
case "${1:-}" in
  publish) mode=publish; shift ;;
  run) mode=run; shift ;;
esac
if [ "$mode" != run ]; then
  dotnet publish samples/GpuCheck/GpuCheck.csproj -c Release -r linux-x64 --self-contained -p:PublishTrimmed=true \
    -nologo -v q -o "$out" >&2
  echo "gpu-check: published $(du -sh "$out" | cut -f1) to $out" >&2
fi
if [ "$mode" != publish ]; then
  # CUDA libraries outside the loader's path (toolkit folders, pip wheels such as nvidia-cublas): find them
  # and put their folders first, for the app (FREEENERGY_CUDA_PATH) and for their own dependencies
  # (libcublasLt, libnvrtc-builtins) through LD_LIBRARY_PATH. Set FREEENERGY_CUDA_PATH yourself to skip this.
  if [ -z "${FREEENERGY_CUDA_PATH:-}" ]; then
    dirs=$(find /usr/local /opt /usr/lib /usr/lib64 /root /home -xdev \( -name 'libcublas.so.*' -o -name 'libnvrtc.so.*' \) \
      -not -path '*/stubs/*' 2>/dev/null | xargs -r -n1 dirname | sort -u | paste -sd: -)
    if [ -n "$dirs" ]; then
      export FREEENERGY_CUDA_PATH="$dirs"
      export LD_LIBRARY_PATH="$dirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
      echo "gpu-check: CUDA libraries found in $dirs" >&2
    fi
  fi
  rows=60000; epochs=3
  args=("$@")
  for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[$i]}" in
      --rows) rows="${args[$((i + 1))]}" ;;
      --epochs) epochs="${args[$((i + 1))]}" ;;
    esac
  done
  result=artifacts/gpu-check-result.json
  mkdir -p artifacts
  set +e
  "$out/FreeEnergy.GpuCheck" "$@" > "$result"
  code=$?
  set -e
  peers=()
  if [ "$code" -le 1 ] && python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
    python3 build/peers/rbm_torch.py --device cuda --synthetic "$rows" --epochs "$epochs" > artifacts/rbm-torch-cuda.json || true
    python3 build/peers/vae_torch.py --device cuda --synthetic "$rows" --epochs "$epochs" > artifacts/vae-torch-cuda.json || true
    peers=(artifacts/rbm-torch-cuda.json artifacts/vae-torch-cuda.json)
  else
    echo "gpu-check: no PyTorch with CUDA here (or the app failed): no peer timings" >&2
  fi
  python3 build/gpu-report.py "$result" "${peers[@]}"
  exit "$code"
fi
