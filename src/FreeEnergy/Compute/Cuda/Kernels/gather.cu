// Row gathers: a shuffled mini-batch taken from a data set resident on the device.

// destination[r, c] = source[rowIndexes[r], c] for r < rows, c < columns (row-major, int32 row numbers).
extern "C" __global__ void fe_gather_rows(const float* source, const int* rowIndexes, float* destination, int rows, int columns)
{
    long long n = (long long)rows * columns;
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)blockDim.x * gridDim.x)
    {
        long long r = i / columns, c = i - r * columns;
        destination[i] = source[(long long)rowIndexes[r] * columns + c];
    }
}
