using Parquet;
using Parquet.Schema;

namespace FreeEnergy.Tests.Data;

/// <summary>Writes test Parquet files with Parquet.Net directly: typed columns, optional nulls, several row groups.</summary>
internal static class ParquetFiles
{
    /// <summary>One column: a field and its values (an array of T or T?) for the whole file.</summary>
    internal sealed record Column(DataField Field, Array Values);

    public static Column Of<T>(string name, params T[] values) where T : struct => new(new DataField<T>(name), values);

    public static Column Nullable<T>(string name, params T?[] values) where T : struct => new(new DataField<T?>(name), values);

    public static Column Strings(string name, params string[] values) => new(new DataField<string>(name), values);

    /// <summary>Writes the columns in row groups of <paramref name="groupRows"/> rows.</summary>
    public static string Write(string path, int groupRows, params Column[] columns)
    {
        int rows = columns[0].Values.Length;
        using var stream = File.Create(path);
        var writer = ParquetWriter.CreateAsync(new ParquetSchema(columns.Select(c => (Field)c.Field).ToArray()), stream).GetAwaiter().GetResult();
        for (int start = 0; start < rows; start += groupRows)
        {
            int count = Math.Min(groupRows, rows - start);
            using var group = writer.CreateRowGroup();
            foreach (var c in columns) WriteSlice(group, c, start, count);
        }
        Await(writer.DisposeAsync());
        return path;
    }

    private static void WriteSlice(ParquetRowGroupWriter group, Column c, int start, int count)
    {
        switch (c.Values)
        {
            case double[] d: Await(group.WriteAsync<double>(c.Field, d.AsMemory(start, count))); break;
            case float[] f: Await(group.WriteAsync<float>(c.Field, f.AsMemory(start, count))); break;
            case int[] i: Await(group.WriteAsync<int>(c.Field, i.AsMemory(start, count))); break;
            case long[] l: Await(group.WriteAsync<long>(c.Field, l.AsMemory(start, count))); break;
            case double?[] nd: Await(group.WriteAsync<double>(c.Field, (ReadOnlyMemory<double?>)nd.AsMemory(start, count))); break;
            case int?[] ni: Await(group.WriteAsync<int>(c.Field, (ReadOnlyMemory<int?>)ni.AsMemory(start, count))); break;
            case string[] s: Await(group.WriteAsync(c.Field, s.Skip(start).Take(count).ToArray())); break;
            default: throw new ArgumentException(c.Values.GetType().Name);
        }
    }

    private static void Await(Task task) => task.GetAwaiter().GetResult();

    private static void Await(ValueTask task) => task.AsTask().GetAwaiter().GetResult();
}
