namespace FreeEnergy.Data;

/// <summary>
/// Reads data files: CSV (.csv, header detected), IDX (.idx, .idx.gz, MNIST's -ubyte names, plain or gzipped),
/// and an MNIST image file's matching label file. Every failure is a <see cref="DataFormatException"/>
/// naming the file, row and column.
/// </summary>
public static class DataReader
{
    /// <summary>Reads <paramref name="path"/> into a data set.</summary>
    public static DataSet Read(string path, DataReadOptions? options = null) => throw new NotImplementedException();
}
