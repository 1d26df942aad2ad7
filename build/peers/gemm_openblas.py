#!/usr/bin/env python3
"""OpenBLAS SGEMM peer for build/bench/gemm.sh: times C = op(A) op(B) with numpy (float32) and prints one JSON line.

Set OPENBLAS_NUM_THREADS before running (the script refuses to run if numpy is not backed by OpenBLAS,
unless --allow-other-blas is given). Mirrors `freeenergy bench gemm`: warm-up of at least 0.2 s, then the
median of --repeats timed calls.
"""
import argparse
import json
import os
import sys
import time


def blas_library():
    """The BLAS shared object actually mapped into this process (Debian numpy links libblas.so.3 via alternatives)."""
    libs = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1]
                if any(tag in path for tag in ("blas", "lapack", "mkl", "blis")):
                    libs.add(os.path.realpath(path))
    except OSError:
        pass
    return sorted(libs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--m", type=int, default=1024)
    parser.add_argument("--n", type=int, default=1024)
    parser.add_argument("--k", type=int, default=1024)
    parser.add_argument("--transpose-a", action="store_true")
    parser.add_argument("--transpose-b", action="store_true")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--show-config", action="store_true", help="print numpy's build config and the mapped BLAS, then exit")
    parser.add_argument("--allow-other-blas", action="store_true")
    args = parser.parse_args()

    import numpy as np

    a_shape = (args.k, args.m) if args.transpose_a else (args.m, args.k)
    b_shape = (args.n, args.k) if args.transpose_b else (args.k, args.n)
    rng = np.random.default_rng(42)
    a = (rng.random(a_shape, dtype=np.float32) - 0.5).astype(np.float32)
    b = (rng.random(b_shape, dtype=np.float32) - 0.5).astype(np.float32)
    c = np.empty((args.m, args.n), dtype=np.float32)
    op_a = a.T if args.transpose_a else a
    op_b = b.T if args.transpose_b else b
    np.matmul(op_a, op_b, out=c)  # loads the BLAS so /proc/self/maps shows it

    libs = blas_library()
    if args.show_config:
        np.show_config()
        print("mapped BLAS libraries:", libs)
        return 0
    if not any("openblas" in lib for lib in libs) and not args.allow_other_blas:
        print(f"error: numpy is not using OpenBLAS here (mapped: {libs})", file=sys.stderr)
        return 2

    start = time.perf_counter()
    while True:
        np.matmul(op_a, op_b, out=c)
        if time.perf_counter() - start >= 0.2:
            break
    times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        np.matmul(op_a, op_b, out=c)
        times.append(time.perf_counter() - t0)
    times.sort()
    median = times[len(times) // 2]
    flops = 2.0 * args.m * args.n * args.k
    print(json.dumps({
        "benchmark": "gemm",
        "backend": "openblas (numpy %s)" % np.__version__,
        "blas": libs,
        "m": args.m, "n": args.n, "k": args.k,
        "transposeA": args.transpose_a, "transposeB": args.transpose_b,
        "threads": int(os.environ.get("OPENBLAS_NUM_THREADS", "0") or 0),
        "repeats": args.repeats,
        "medianSeconds": median,
        "gflops": flops / median / 1e9,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
