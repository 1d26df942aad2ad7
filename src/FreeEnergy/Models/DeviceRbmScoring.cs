using FreeEnergy.Compute;
using FreeEnergy.Compute.Cuda;
using FreeEnergy.Compute.Device;
using FreeEnergy.Tensors;

namespace FreeEnergy.Models;

/// <summary>
/// Bernoulli-RBM free energies on a device (<see cref="IDeviceArrays"/>): the parameters are uploaded once per call,
/// the rows in chunks; per chunk one GEMM (v W) and one row kernel (-v.b - sum softplus(vW + c)); only the free
/// energies come back. Used by <see cref="RbmBase.FreeEnergy(MatrixView, Span{double})"/> when the model's backend is a
/// <see cref="CudaBackend"/>.
/// </summary>
internal static class DeviceRbmScoring
{
    /// <summary>Rows per uploaded chunk.</summary>
    public const int ChunkRows = 4096;

    /// <summary>The free energies on the model's CUDA backend (one call at a time per backend).</summary>
    public static void FreeEnergy(CudaBackend gpu, BernoulliRbm model, MatrixView data, Span<double> result)
    {
        lock (gpu.Gate)
        {
            using var device = new CudaDeviceArrays(gpu);
            FreeEnergy(device, model, data, result);
        }
    }

    /// <summary>result[r] = F(data row r), computed on <paramref name="device"/>.</summary>
    public static void FreeEnergy(IDeviceArrays device, BernoulliRbm model, MatrixView data, Span<double> result)
    {
        int d = model.Visible, h = model.Hidden, rows = data.Rows;
        if (rows == 0) return;
        int chunk = Math.Min(ChunkRows, rows);
        using var w = device.Upload(model.Weights);
        using var a = device.Upload(model.VisibleBias);
        using var b = device.Upload(model.HiddenBias);
        using var v = device.Allocate(chunk * d);
        using var pre = device.Allocate(chunk * h);
        using var f = device.Allocate(chunk);
        var host = new float[chunk];
        for (int start = 0; start < rows; start += chunk)
        {
            int n = Math.Min(chunk, rows - start);
            device.Upload(data.RowRange(start, n).Span, v);
            device.Gemm(Transpose.None, Transpose.None, n, h, d, 1f, v, d, w, h, 0f, pre, h);
            device.RbmFreeEnergyRows(v, a, pre, b, f, n, d, h);
            device.Download(f.Slice(0, n), host);
            for (int r = 0; r < n; r++) result[start + r] = host[r];
        }
    }
}
