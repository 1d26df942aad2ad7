// Philox4x32-10, the same function as FreeEnergy.Compute.Random.Philox (C#), so GPU draws equal CPU draws.
// Key = seed (k0 = low 32 bits, k1 = high 32 bits); counter = (c0, c1) = block (low, high),
// (c2, c3) = stream (low, high). Flat index i of a stream lives in block i >> 2, lane i & 3.
// This header is also valid C99 (see the host test that builds it with gcc): keep it free of CUDA-only code
// outside the FE_DEVICE macro.
#ifndef FREEENERGY_PHILOX_CUH
#define FREEENERGY_PHILOX_CUH

#ifdef __CUDACC_RTC__
#define FE_DEVICE __device__ __forceinline__
typedef unsigned int fe_u32;
typedef unsigned long long fe_u64;
#define FE_PI 3.14159265358979311599796346854
#else
#include <math.h>
#define FE_DEVICE static inline
typedef unsigned int fe_u32;
typedef unsigned long long fe_u64;
#define FE_PI 3.14159265358979311599796346854
#endif

#define FE_PHILOX_M0 0xD2511F53u
#define FE_PHILOX_M1 0xCD9E8D57u
#define FE_PHILOX_W0 0x9E3779B9u
#define FE_PHILOX_W1 0xBB67AE85u

typedef struct { fe_u32 x, y, z, w; } fe_philox_words;

FE_DEVICE fe_philox_words fe_philox_block(fe_u64 seed, fe_u64 stream, fe_u64 block)
{
    fe_u32 c0 = (fe_u32)block, c1 = (fe_u32)(block >> 32), c2 = (fe_u32)stream, c3 = (fe_u32)(stream >> 32);
    fe_u32 k0 = (fe_u32)seed, k1 = (fe_u32)(seed >> 32);
    for (int round = 0; round < 10; round++)
    {
        fe_u64 p0 = (fe_u64)FE_PHILOX_M0 * c0, p1 = (fe_u64)FE_PHILOX_M1 * c2;
        fe_u32 n0 = (fe_u32)(p1 >> 32) ^ c1 ^ k0;
        fe_u32 n2 = (fe_u32)(p0 >> 32) ^ c3 ^ k1;
        c1 = (fe_u32)p1;
        c3 = (fe_u32)p0;
        c0 = n0;
        c2 = n2;
        k0 += FE_PHILOX_W0;
        k1 += FE_PHILOX_W1;
    }
    fe_philox_words r;
    r.x = c0; r.y = c1; r.z = c2; r.w = c3;
    return r;
}

// Uniform in [0, 1): top 24 bits of the word times 2^-24 (Philox.ToUniform).
FE_DEVICE float fe_to_uniform(fe_u32 word) { return (float)(word >> 8) * (1.0f / 16777216.0f); }

// Uniform in (0, 1] (Philox.ToUniformOpen), safe for logarithms.
FE_DEVICE float fe_to_uniform_open(fe_u32 word) { return (float)((word >> 8) + 1u) * (1.0f / 16777216.0f); }

// The uniform at flat index `index` of stream `stream` (Philox.FillUniform element).
FE_DEVICE float fe_uniform_at(fe_u64 seed, fe_u64 stream, fe_u64 index)
{
    fe_philox_words w = fe_philox_block(seed, stream, index >> 2);
    fe_u32 lane = (fe_u32)(index & 3);
    fe_u32 word = lane == 0 ? w.x : lane == 1 ? w.y : lane == 2 ? w.z : w.w;
    return fe_to_uniform(word);
}

// The standard normal at flat index `index` (Philox.FillGaussian element): Box-Muller in double on the
// first two words of block index >> 1; even indices take the cosine, odd ones the sine.
FE_DEVICE float fe_gaussian_at(fe_u64 seed, fe_u64 stream, fe_u64 index)
{
    fe_philox_words w = fe_philox_block(seed, stream, index >> 1);
    double u1 = (double)fe_to_uniform_open(w.x), u2 = (double)fe_to_uniform(w.y);
    double radius = sqrt(-2.0 * log(u1));
    double angle = 2.0 * FE_PI * u2;
    return (index & 1) == 0 ? (float)(radius * cos(angle)) : (float)(radius * sin(angle));
}

#endif
