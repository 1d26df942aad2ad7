using FreeEnergy.Compute;
using FreeEnergy.Compute.Device;
using FreeEnergy.Tensors;

namespace FreeEnergy.Models;

/// <summary>
/// Bernoulli- and Gaussian-RBM free energies on a device (<see cref="IDeviceArrays"/>): the parameters are uploaded once per call,
/// the rows in chunks; per chunk one GEMM (v W) and one row kernel (-v.b - sum softplus(vW + c)); only the free
/// energies come back. Used by <see cref="RbmBase.FreeEnergy(MatrixView, Span{double})"/> when the model's backend has a
/// device (<see cref="BackendCapabilities.TryGetDeviceArrays"/>).
/// </summary>
internal static class DeviceRbmScoring
{
    /// <summary>Rows per uploaded chunk.</summary>
    public const int ChunkRows = 4096;

    /// <summary>result[r] = F(data row r), computed on <paramref name="device"/>.</summary>
    public static void FreeEnergy(IDeviceArrays device, RbmBase model, MatrixView data, Span<double> result)
    {
        var gaussian = model as GaussianRbm;
        int d = model.Visible, h = model.Hidden, rows = data.Rows;
        if (rows == 0) return;
        int chunk = Math.Min(ChunkRows, rows);
        using var w = device.Upload(model.Weights);
        using var a = device.Upload(model.VisibleBias);
        using var b = device.Upload(model.HiddenBias);
        using var v = device.Allocate(chunk * d);
        using var pre = device.Allocate(chunk * h);
        using var f = device.Allocate(chunk);
        using var sigma = device.Allocate(gaussian is null ? 0 : d);
        using var scaled = device.Allocate(gaussian is null ? 0 : chunk * d);
        if (gaussian is not null) device.Upload(gaussian.VisibleSigma, sigma);
        var host = new float[chunk];
        for (int start = 0; start < rows; start += chunk)
        {
            int n = Math.Min(chunk, rows - start);
            device.Upload(data.RowRange(start, n).Span, v);
            if (gaussian is null)
            {
                device.Gemm(Transpose.None, Transpose.None, n, h, d, 1f, v, d, w, h, 0f, pre, h);
                device.Ops<IRbmDeviceOps>().RbmFreeEnergyRows(v, a, pre, b, f, n, d, h);
            }
            else
            {
                // The hidden layer sees v / sigma; the visible energy uses the raw rows.
                device.Copy(v.Slice(0, n * d), scaled);
                device.DivideColumns(scaled, sigma, n, d);
                device.Gemm(Transpose.None, Transpose.None, n, h, d, 1f, scaled, d, w, h, 0f, pre, h);
                device.Ops<IRbmDeviceOps>().GaussianRbmFreeEnergyRows(v, a, sigma, pre, b, f, n, d, h);
            }
            device.Download(f.Slice(0, n), host);
            for (int r = 0; r < n; r++) result[start + r] = host[r];
        }
    }
}
