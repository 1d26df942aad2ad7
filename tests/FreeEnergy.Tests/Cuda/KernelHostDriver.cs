namespace FreeEnergy.Tests.Cuda;

/// <summary>
/// A C++ driver that includes the kernel sources (Kernels/*.cu) and runs them on the host, one emulated
/// thread per block, so <see cref="KernelHostTests"/> can check the kernels' arithmetic without a GPU.
/// </summary>
internal static class KernelHostDriver
{
    public const string Source = """
// Runs the CUDA kernel sources on the host, one emulated thread per block (blockDim = 1), so their
// arithmetic can be checked against the C# CPU engine without a GPU. Protocol on stdin/stdout: a kernel
// name, then its integer/float/u64 arguments and input arrays (floats as uint32 bit patterns, arrays
// prefixed by nothing: sizes follow from the arguments); the output arrays are printed as bit patterns.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>
using std::isinf;
using std::tanh;

struct fe_dim3 { unsigned int x, y, z; };
static fe_dim3 threadIdx = {0, 0, 0}, blockIdx = {0, 0, 0}, blockDim = {1, 1, 1}, gridDim = {1, 1, 1};
#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
#define __syncthreads() ((void)0)
static inline float __int_as_float(unsigned int bits) { float f; std::memcpy(&f, &bits, 4); return f; }

#include "activations.cu"
#include "sampling.cu"
#include "reductions.cu"
#include "optimizers.cu"
#include "gather.cu"
#include "vae.cu"
#include "hierarchical_vae.cu"

static long long I() { long long v; if (std::scanf("%lld", &v) != 1) std::exit(3); return v; }
static unsigned long long U() { unsigned long long v; if (std::scanf("%llu", &v) != 1) std::exit(3); return v; }
static float F() { unsigned int b; if (std::scanf("%u", &b) != 1) std::exit(3); float f; std::memcpy(&f, &b, 4); return f; }
static std::vector<float> A(long long n) { std::vector<float> a((size_t)n); for (auto& x : a) x = F(); return a; }
static void P(const std::vector<float>& a, long long n)
{
    for (long long i = 0; i < n; i++) { unsigned int b; std::memcpy(&b, &a[(size_t)i], 4); std::printf("%u\n", b); }
}
int main()
{
    char name[64];
    while (std::scanf("%63s", name) == 1)
    {
        std::string k = name;
        blockIdx.x = 0;
        if (k == "fe_add_row_bias")
        {
            int r = (int)I(), c = (int)I(); auto m = A((long long)r * c); auto b = A(c);
            fe_add_row_bias(m.data(), b.data(), r, c); P(m, (long long)r * c);
        }
        else if (k == "fe_bias_sigmoid")
        {
            int r = (int)I(), c = (int)I(); auto x = A((long long)r * c); auto b = A(c); std::vector<float> y(x.size());
            fe_bias_sigmoid(x.data(), b.data(), y.data(), r, c);
            P(y, (long long)r * c);
        }
        else if (k == "fe_scale")
        {
            int n = (int)I(); float a = F(); auto x = A(n); fe_scale(x.data(), a, n); P(x, n);
        }
        else if (k == "fe_bernoulli" || k == "fe_gaussian")
        {
            int n = (int)I(); float sd = F(); unsigned long long seed = U(), stream = U(), start = U();
            auto in = A(n); std::vector<float> out((size_t)n);
            if (k == "fe_bernoulli") fe_bernoulli(in.data(), out.data(), n, seed, stream, start);
            else fe_gaussian(in.data(), sd, out.data(), n, seed, stream, start);
            P(out, n);
        }
        else if (k == "fe_rbm_free_energy_rows")
        {
            int r = (int)I(), d = (int)I(), h = (int)I();
            auto v = A((long long)r * d); auto b = A(d); auto pre = A((long long)r * h); auto c = A(h); std::vector<float> out((size_t)r);
            for (int i = 0; i < r; i++) { blockIdx.x = i; fe_rbm_free_energy_rows(v.data(), b.data(), pre.data(), c.data(), out.data(), r, d, h); }
            P(out, r);
        }
        else if (k == "fe_column_sums")
        {
            int r = (int)I(), c = (int)I(); float s = F(); auto m = A((long long)r * c); std::vector<float> out((size_t)c);
            for (int j = 0; j < c; j++) { blockIdx.x = j; fe_column_sums(m.data(), out.data(), r, c, s); }
            P(out, c);
        }
        else if (k == "fe_adam")
        {
            int n = (int)I(); float lr = F(), b1 = F(), b2 = F(), eps = F(), c1 = F(), c2 = F(), wd = F();
            auto p = A(n); auto g = A(n); auto m = A(n); auto v = A(n);
            fe_adam(p.data(), g.data(), m.data(), v.data(), n, lr, b1, b2, eps, c1, c2, wd);
            P(p, n); P(m, n); P(v, n);
        }
        else if (k == "fe_momentum")
        {
            int n = (int)I(); float lr = F(), mu = F(), wd = F(); auto p = A(n); auto g = A(n); auto vel = A(n);
            fe_momentum(p.data(), g.data(), vel.data(), n, lr, mu, wd); P(p, n); P(vel, n);
        }
        else if (k == "fe_column_mean_difference")
        {
            int np = (int)I(), nn = (int)I(), c = (int)I(); auto pos = A((long long)np * c); auto neg = A((long long)nn * c); std::vector<float> out((size_t)c);
            for (int j = 0; j < c; j++) { blockIdx.x = j; fe_column_mean_difference(pos.data(), np, neg.data(), nn, c, out.data()); }
            P(out, c);
        }
        else if (k == "fe_squared_error_rows")
        {
            int r = (int)I(), c = (int)I(); auto a = A((long long)r * c); auto b = A((long long)r * c); std::vector<float> out((size_t)r);
            for (int i = 0; i < r; i++) { blockIdx.x = i; fe_squared_error_rows(a.data(), b.data(), out.data(), r, c); }
            P(out, r);
        }
        else if (k == "fe_max_magnitude")
        {
            int n = (int)I(); auto x = A(n); std::vector<float> out(1); fe_max_magnitude(x.data(), n, out.data()); P(out, 1);
        }
        else if (k == "fe_weight_step")
        {
            int n = (int)I(); float l2 = F(), l1 = F(); auto w = A(n); auto v = A(n);
            fe_weight_step(w.data(), v.data(), n, l2, l1); P(w, n); P(v, n);
        }
        else if (k == "fe_gather_rows")
        {
            int sr = (int)I(), r = (int)I(), c = (int)I(); auto src = A((long long)sr * c);
            std::vector<int> idx((size_t)r); for (auto& i : idx) i = (int)I();
            std::vector<float> out((size_t)r * c); fe_gather_rows(src.data(), idx.data(), out.data(), r, c); P(out, (long long)r * c);
        }
        else if (k == "fe_tempered_sigmoid")
        {
            int r = (int)I(), c = (int)I(); float beta = F(); auto x = A((long long)r * c); auto a = A(c); auto d = A(c); std::vector<float> y(x.size());
            fe_tempered_sigmoid(x.data(), beta, a.data(), d.data(), y.data(), r, c); P(y, (long long)r * c);
        }
        else if (k == "fe_ais_log_weights")
        {
            int r = (int)I(), d = (int)I(), h = (int)I(); float b0 = F(), b1 = F();
            auto pre = A((long long)r * h); auto v = A((long long)r * d); auto dif = A(d); auto w = A(r); auto comp = A(r);
            for (int i = 0; i < r; i++) { blockIdx.x = i; fe_ais_log_weights(pre.data(), v.data(), dif.data(), w.data(), comp.data(), r, d, h, (double)b0, (double)b1); }
            P(w, r); P(comp, r);
        }
        else if (k == "fe_bias_activation")
        {
            int r = (int)I(), c = (int)I(), f = (int)I(); auto x = A((long long)r * c); auto b = A(c);
            fe_bias_activation(x.data(), b.data(), r, c, f); P(x, (long long)r * c);
        }
        else if (k == "fe_activation_backward")
        {
            int n = (int)I(), f = (int)I(); auto g = A(n); auto post = A(n); fe_activation_backward(g.data(), post.data(), n, f); P(g, n);
        }
        else if (k == "fe_reparameterize")
        {
            int r = (int)I(), l = (int)I(); auto h = A(2LL * r * l); auto e = A((long long)r * l); std::vector<float> z((size_t)r * l);
            fe_reparameterize(h.data(), e.data(), z.data(), r, l); P(z, (long long)r * l);
        }
        else if (k == "fe_bernoulli_logit_loss_rows")
        {
            int r = (int)I(), c = (int)I(); float s = F(); auto x = A((long long)r * c); auto l = A((long long)r * c); std::vector<float> out((size_t)r);
            for (int i = 0; i < r; i++) { blockIdx.x = i; fe_bernoulli_logit_loss_rows(x.data(), l.data(), out.data(), r, c, s); }
            P(out, r); P(l, (long long)r * c);
        }
        else if (k == "fe_kl_rows")
        {
            int r = (int)I(), l = (int)I(); float s = F(); auto h = A(2LL * r * l); std::vector<float> out((size_t)r);
            fe_kl_rows(h.data(), out.data(), r, l, s); P(out, r);
        }
        else if (k == "fe_head_backward")
        {
            int r = (int)I(), l = (int)I(); float kw = F(), s = F(); auto h = A(2LL * r * l); auto e = A((long long)r * l); auto dz = A((long long)r * l);
            std::vector<float> g(2 * (size_t)r * l); fe_head_backward(h.data(), e.data(), dz.data(), g.data(), r, l, kw, s); P(g, 2LL * r * l);
        }
        else if (k == "fe_reparameterize_pairs" || k == "fe_log_ratio_pairs")
        {
            int pairs = (int)I(), samples = (int)I(), l = (int)I(); float s = F(); int rows = (pairs + samples - 1) / samples;
            auto h = A(2LL * rows * l); auto noise = A((long long)samples * l);
            std::vector<float> e((size_t)pairs * l), z((size_t)pairs * l), ratio((size_t)pairs);
            fe_reparameterize_pairs(h.data(), noise.data(), e.data(), z.data(), pairs, samples, l);
            if (k == "fe_reparameterize_pairs") { P(e, (long long)pairs * l); P(z, (long long)pairs * l); }
            else { fe_log_ratio_pairs(z.data(), h.data(), e.data(), ratio.data(), pairs, samples, l, s); P(ratio, pairs); }
        }
        else if (k == "fe_importance_head_backward")
        {
            int r = (int)I(), l = (int)I(); float s = F(); long long n = (long long)r * l;
            auto h = A(2 * n); auto e = A(n); auto z = A(n); auto dz = A(n); auto w = A(r); std::vector<float> g(2 * (size_t)n);
            fe_importance_head_backward(h.data(), e.data(), z.data(), dz.data(), w.data(), g.data(), r, l, s); P(g, 2 * n);
        }
        else if (k == "fe_importance_weights")
        {
            int r = (int)I(), samples = (int)I(); float w1 = F(), w2 = F(), bs = F(), lw = F(); long long n = (long long)r * samples;
            auto a = A(n); auto b = A(n); auto c = A(n); std::vector<float> scale((size_t)n), weight((size_t)n), bound((size_t)r);
            fe_importance_weights(a.data(), b.data(), w1, c.data(), w2, r, samples, bs, lw, scale.data(), weight.data(), bound.data());
            P(bound, r); P(scale, n); P(weight, n);
        }
        else if (k == "fe_scale_rows")
        {
            int r = (int)I(), c = (int)I(); auto m = A((long long)r * c); auto s = A(r); fe_scale_rows(m.data(), s.data(), r, c); P(m, (long long)r * c);
        }
        else if (k == "fe_split_columns")
        {
            int r = (int)I(), l = (int)I(), rw = (int)I(); auto src = A((long long)r * (l + rw));
            std::vector<float> left((size_t)r * l), right((size_t)r * rw);
            fe_split_columns(src.data(), left.data(), right.data(), r, l, rw); P(left, (long long)r * l); P(right, (long long)r * rw);
        }
        else if (k == "fe_prior_log_ratio_rows")
        {
            int p = (int)I(), l = (int)I(); long long n = (long long)p * l;
            auto z = A(n); auto h = A(2 * n); auto e = A(n); auto ph = A(2 * n); std::vector<float> out((size_t)p);
            fe_prior_log_ratio_rows(z.data(), h.data(), e.data(), ph.data(), out.data(), p, l); P(out, p);
        }
        else if (k == "fe_prior_backward")
        {
            int p = (int)I(), l = (int)I(); float w = F(); long long n = (long long)p * l;
            auto z = A(n); auto ph = A(2 * n); auto sc = A(p); auto dz = A(n); std::vector<float> g(2 * (size_t)n);
            fe_prior_backward(z.data(), ph.data(), sc.data(), w, g.data(), dz.data(), p, l); P(g, 2 * n); P(dz, n);
        }
        else if (k == "fe_posterior_head_backward")
        {
            int p = (int)I(), l = (int)I(); float w = F(); long long n = (long long)p * l;
            auto h = A(2 * n); auto e = A(n); auto dz = A(n); auto up = A(n); auto sc = A(p); std::vector<float> g(2 * (size_t)n);
            fe_posterior_head_backward(h.data(), e.data(), dz.data(), up.data(), sc.data(), w, g.data(), p, l); P(g, 2 * n); P(dz, n);
        }
        else if (k == "fe_gaussian_visible")
        {
            int r = (int)I(), c = (int)I(); unsigned long long seed = U(), stream = U(), start = U();
            auto wh = A((long long)r * c); auto a = A(c); auto sg = A(c); std::vector<float> out((size_t)r * c);
            fe_gaussian_visible(wh.data(), a.data(), sg.data(), out.data(), r, c, seed, stream, start); P(out, (long long)r * c);
        }
        else if (k == "fe_divide_columns")
        {
            int r = (int)I(), c = (int)I(); auto x = A((long long)r * c); auto dv = A(c); fe_divide_columns(x.data(), dv.data(), r, c); P(x, (long long)r * c);
        }
        else if (k == "fe_scale_shift_columns")
        {
            int r = (int)I(), c = (int)I(); auto x = A((long long)r * c); auto sg = A(c); auto b = A(c); std::vector<float> y(x.size());
            fe_scale_shift_columns(x.data(), sg.data(), b.data(), y.data(), r, c); P(y, (long long)r * c);
        }
        else if (k == "fe_gaussian_rbm_free_energy_rows")
        {
            int r = (int)I(), d = (int)I(), h = (int)I();
            auto v = A((long long)r * d); auto a = A(d); auto sg = A(d); auto pre = A((long long)r * h); auto c = A(h); std::vector<float> out((size_t)r);
            for (int i = 0; i < r; i++) { blockIdx.x = i; fe_gaussian_rbm_free_energy_rows(v.data(), a.data(), sg.data(), pre.data(), c.data(), out.data(), r, d, h); }
            P(out, r);
        }
        else if (k == "fe_tap_powers" || k == "fe_tap_moments")
        {
            // Order 2 (no third output) or 3; prints the first output, then the second at order 3.
            int n = (int)I(), order = (int)I(); auto x = A(n); std::vector<float> a((size_t)n), b((size_t)n);
            float* third = order == 3 ? b.data() : nullptr;
            if (k == "fe_tap_powers") fe_tap_powers(x.data(), a.data(), third, n); else fe_tap_moments(x.data(), a.data(), third, n);
            P(a, n); if (order == 3) P(b, n);
        }
        else if (k == "fe_tap_update")
        {
            int r = (int)I(), c = (int)I(), order = (int)I(); float damping = F(), eps = F(); long long n = (long long)r * c;
            auto field = A(n); auto second = A(n); auto third = A(n); auto bias = A(c); auto m = A(n);
            fe_tap_update(field.data(), second.data(), order == 3 ? third.data() : nullptr, bias.data(), m.data(), r, c, damping, eps); P(m, n);
        }
        else if (k == "fe_tap_weight_velocity")
        {
            int n = (int)I(), order = (int)I(); float scale = F(); auto w = A(n); auto g1 = A(n); auto g2 = A(n); auto g3 = A(n); auto v = A(n);
            fe_tap_weight_velocity(w.data(), g1.data(), g2.data(), order == 3 ? g3.data() : nullptr, v.data(), n, scale); P(v, n);
        }
        else { std::fprintf(stderr, "unknown kernel %s\n", name); return 2; }
        std::fflush(stdout);
    }
    return 0;
}
""";
}
