#!/usr/bin/env python3
"""Combines the GpuCheck JSON (FreeEnergyML on the GPU) with the PyTorch CUDA peers' JSON lines into one JSON
object on stdout and a markdown table on stderr.

    build/gpu-report.py gpu-check.json [rbm_torch.json] [vae_torch.json]
"""
import json
import sys


def load(path):
    try:
        with open(path) as f:
            text = f.read().strip()
    except OSError:
        return None
    if not text:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        # the peers print one JSON line last, after any progress lines
        for line in reversed(text.splitlines()):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
    return None


def main():
    ours = load(sys.argv[1]) or {}
    rbm = load(sys.argv[2]) if len(sys.argv) > 2 else None
    vae = load(sys.argv[3]) if len(sys.argv) > 3 else None
    report = {"freeenergy": ours, "torchRbm": rbm, "torchVae": vae}
    print(json.dumps(report, indent=2))

    t = ours.get("timings", {})
    rows = []
    g = t.get("sgemmFp32")
    if g:
        rows.append(("SGEMM %d^3 FP32" % g["size"], "%.0f GFLOP/s (%.0f%% of %.0f peak)" % (g["gflops"], 100 * g.get("fractionOfPeak", 0), g.get("peakGflops", 0)), "", ""))
    r = t.get("rbmEpoch")
    if r:
        peer = rbm.get("secondsPerEpoch") if rbm else None
        rows.append(("RBM 784x500 CD-1 batch 100, s/epoch (%d rows)" % r["rows"], "%.3f" % r["secondsPerEpoch"],
                     "%.3f" % peer if peer else "n/a", "%.2fx" % (peer / r["secondsPerEpoch"]) if peer else ""))
    v = t.get("vaeEpoch")
    if v:
        peer = None
        if vae and vae.get("seconds_per_epoch"):
            s = vae["seconds_per_epoch"]
            peer = sum(s[1:]) / len(s[1:]) if len(s) > 1 else s[0]
        label = "VAE 784-400-20 batch 128, s/epoch (%d rows)%s" % (v["rows"], "" if v.get("deviceResident", True) else " [CPU loop + cuBLAS]")
        rows.append((label, "%.3f" % v["secondsPerEpoch"], "%.3f" % peer if peer else "n/a", "%.2fx" % (peer / v["secondsPerEpoch"]) if peer else ""))
    checks = ours.get("checks", [])
    failed = [c.get("name") for c in checks if not c.get("passed", False)]
    out = sys.stderr
    print("", file=out)
    print("device: %s; status: %s; checks: %d, failed: %s" % (ours.get("backend", ours.get("probe", {}).get("deviceName")), ours.get("status"), len(checks), ", ".join(failed) or "none"), file=out)
    print("", file=out)
    print("| measurement | FreeEnergyML | PyTorch CUDA | torch time / ours |", file=out)
    print("| --- | --- | --- | --- |", file=out)
    for row in rows:
        print("| %s | %s | %s | %s |" % row, file=out)
    for c in checks:
        if c.get("name", "").startswith("training."):
            print("", file=out)
            if "weightsRelativeRmsDifference" in c:
                print("%s: passed=%s, weights relative RMS diff %.3g, recon error cpu %.5f gpu %.5f" % (
                    c["name"], c["passed"], c["weightsRelativeRmsDifference"], c["cpuReconstructionError"], c["gpuReconstructionError"]), file=out)
            else:
                print("%s: passed=%s, train -ELBO cpu %.4f gpu %.4f, validation cpu %.4f gpu %.4f" % (
                    c["name"], c["passed"], c["cpuTrainingLoss"], c["gpuTrainingLoss"], c["cpuValidationLoss"], c["gpuValidationLoss"]), file=out)


if __name__ == "__main__":
    main()
