namespace FreeEnergy.Data;

/// <summary>The element type codes of the IDX format (third byte of the magic number).</summary>
internal static class IdxElementTypes
{
    public const byte UnsignedByte = 0x08;
    public const byte SignedByte = 0x09;
    public const byte Int16 = 0x0B;
    public const byte Int32 = 0x0C;
    public const byte Float32 = 0x0D;
    public const byte Float64 = 0x0E;

    public static bool IsKnown(byte code) => code is UnsignedByte or SignedByte or Int16 or Int32 or Float32 or Float64;

    public static int Size(byte code) => code switch
    {
        UnsignedByte or SignedByte => 1,
        Int16 => 2,
        Int32 or Float32 => 4,
        Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(code)),
    };

    public static string Name(byte code) => code switch
    {
        UnsignedByte => "unsigned byte",
        SignedByte => "signed byte",
        Int16 => "int16",
        Int32 => "int32",
        Float32 => "float32",
        Float64 => "float64",
        _ => $"0x{code:X2}",
    };
}
