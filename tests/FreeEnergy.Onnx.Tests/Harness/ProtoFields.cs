namespace FreeEnergy.Onnx.Tests.Harness;

/// <summary>One decoded protobuf field: varint value or length-delimited bytes (fixed32 as its raw bits).</summary>
internal sealed record ProtoField(int Number, int WireType, long Value, byte[] Bytes)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Bytes);

    public IReadOnlyList<ProtoField> Message => ProtoFields.Parse(Bytes);
}

/// <summary>An independent, minimal protobuf wire-format decoder to inspect exported models in tests.</summary>
internal static class ProtoFields
{
    public static IReadOnlyList<ProtoField> Parse(byte[] data)
    {
        var fields = new List<ProtoField>();
        int p = 0;
        while (p < data.Length)
        {
            long key = Varint(data, ref p);
            int number = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0: fields.Add(new ProtoField(number, wire, Varint(data, ref p), Array.Empty<byte>())); break;
                case 2:
                    int length = checked((int)Varint(data, ref p));
                    fields.Add(new ProtoField(number, wire, length, data.AsSpan(p, length).ToArray()));
                    p += length;
                    break;
                case 5: fields.Add(new ProtoField(number, wire, BitConverter.ToInt32(data, p), Array.Empty<byte>())); p += 4; break;
                case 1: fields.Add(new ProtoField(number, wire, BitConverter.ToInt64(data, p), Array.Empty<byte>())); p += 8; break;
                default: throw new InvalidDataException($"wire type {wire} at {p}");
            }
        }
        if (p != data.Length) throw new InvalidDataException("truncated message");
        return fields;
    }

    public static IEnumerable<ProtoField> All(this IReadOnlyList<ProtoField> fields, int number) => fields.Where(f => f.Number == number);

    public static ProtoField One(this IReadOnlyList<ProtoField> fields, int number) => Assert.Single(fields, f => f.Number == number);

    private static long Varint(byte[] data, ref int p)
    {
        long value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = data[p++];
            value |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
    }
}
