using Google.Protobuf;

namespace FreeEnergy.Onnx.Proto;

/// <summary>
/// A protobuf message written by hand with <see cref="CodedOutputStream"/> (the ONNX subset needs no
/// generated code). <see cref="ComputeSize"/> computes and caches the encoded size, which the parent's
/// <see cref="WriteTo"/> then uses as the length prefix; <see cref="ToByteArray"/> does both in order.
/// </summary>
internal abstract class ProtoMessage
{
    /// <summary>The size computed by the last <see cref="ComputeSize"/> call.</summary>
    public int CachedSize { get; private set; } = -1;

    /// <summary>Computes (and caches) the encoded size of this message and of every nested message.</summary>
    public int ComputeSize()
    {
        CachedSize = ComputeSizeCore();
        return CachedSize;
    }

    /// <summary>The encoded size; nested messages must have their sizes computed on the way.</summary>
    protected abstract int ComputeSizeCore();

    /// <summary>Writes the fields; sizes must have been computed.</summary>
    public abstract void WriteTo(CodedOutputStream output);

    /// <summary>The encoded message.</summary>
    public byte[] ToByteArray()
    {
        var bytes = new byte[ComputeSize()];
        var output = new CodedOutputStream(bytes);
        WriteTo(output);
        output.CheckNoSpaceLeft();
        return bytes;
    }
}
