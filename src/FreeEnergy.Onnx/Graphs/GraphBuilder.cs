using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace FreeEnergy.Onnx.Graphs;

/// <summary>
/// Builds one ONNX graph (opset 17, IR version 8): float32 inputs and outputs whose first dimension is the
/// dynamic batch "N", initializers, scalar constants (shared by value) and single-output nodes with
/// generated unique names, appended in topological order by construction.
/// </summary>
internal sealed class GraphBuilder
{
    /// <summary>The default-domain operator set the graphs are written for.</summary>
    public const long Opset = 17;

    /// <summary>The IR version that goes with opset 17 (ONNX 1.12).</summary>
    public const long IrVersion = 8;

    /// <summary>The symbolic name of the dynamic batch dimension.</summary>
    public const string BatchDimension = "N";

    private readonly GraphProto _graph = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _constants = new(StringComparer.Ordinal);
    private int _counter;

    public GraphBuilder(string name) => _graph.Name = name;

    /// <summary>Adds a float32 graph input; a null dimension is the dynamic batch dimension.</summary>
    public string Input(string name, params long?[] dims)
    {
        Claim(name);
        _graph.Input.Add(new ValueInfoProto { Name = name, Type = FloatType(dims) });
        return name;
    }

    /// <summary>Declares <paramref name="value"/> as the graph output <paramref name="name"/> (through an Identity node when renamed).</summary>
    public void Output(string name, string value, params long?[] dims)
    {
        if (value != name)
        {
            Claim(name);
            AddNode("Identity", new[] { value }, name, Array.Empty<AttributeProto>());
        }
        _graph.Output.Add(new ValueInfoProto { Name = name, Type = FloatType(dims) });
    }

    /// <summary>Adds a float32 initializer named <paramref name="name"/> (made unique if taken).</summary>
    public string Initializer(string name, ReadOnlySpan<float> data, params long[] dims)
    {
        string unique = Unique(name);
        _graph.Initializer.Add(FloatTensor(unique, dims, data));
        return unique;
    }

    /// <summary>A float32 scalar constant (rank 0), shared between uses of the same value.</summary>
    public string Scalar(float value)
        => Constant("f:" + Bits(value), "const_f", name => FloatTensor(name, Array.Empty<long>(), new[] { value }));

    /// <summary>A 1-D int64 constant (axes for ReduceSum and Unsqueeze), shared between uses.</summary>
    public string Int64s(params long[] values)
        => Constant("i:" + string.Join(",", values), "const_i", name => Int64Tensor(name, new long[] { values.Length }, values));

    /// <summary>An int64 scalar constant (rank 0), as CumSum's axis.</summary>
    public string Int64Scalar(long value)
        => Constant("s:" + value.ToString(System.Globalization.CultureInfo.InvariantCulture), "const_s", name => Int64Tensor(name, Array.Empty<long>(), new[] { value }));

    /// <summary>A float32 1-D constant, shared between uses of the same values.</summary>
    public string Floats(params float[] values)
        => Constant("v:" + string.Join(",", values.Select(Bits)), "const_v", name => FloatTensor(name, new long[] { values.Length }, values));

    /// <summary>The initializer for <paramref name="key"/>: the one made before, or a new one named from <paramref name="stem"/>.</summary>
    private string Constant(string key, string stem, Func<string, TensorProto> tensor)
    {
        if (_constants.TryGetValue(key, out var existing)) return existing;
        string name = Unique(stem + _constants.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _graph.Initializer.Add(tensor(name));
        _constants[key] = name;
        return name;
    }

    private static string Bits(float value) => BitConverter.SingleToInt32Bits(value).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Appends a node with one output and returns that output's name.</summary>
    public string Node(string opType, string[] inputs, params AttributeProto[] attributes)
    {
        string output = Unique(opType.ToLowerInvariant());
        AddNode(opType, inputs, output, attributes);
        return output;
    }

    public string Add(string a, string b) => Node("Add", new[] { a, b });
    public string Sub(string a, string b) => Node("Sub", new[] { a, b });
    public string Mul(string a, string b) => Node("Mul", new[] { a, b });
    public string Div(string a, string b) => Node("Div", new[] { a, b });
    public string MatMul(string a, string b) => Node("MatMul", new[] { a, b });
    public string Neg(string x) => Node("Neg", new[] { x });
    public string Exp(string x) => Node("Exp", new[] { x });
    public string Log(string x) => Node("Log", new[] { x });
    public string Abs(string x) => Node("Abs", new[] { x });
    public string Relu(string x) => Node("Relu", new[] { x });
    public string Tanh(string x) => Node("Tanh", new[] { x });
    public string Sigmoid(string x) => Node("Sigmoid", new[] { x });

    /// <summary>x W (+ c) on 2-D x, with W transposed when <paramref name="transposeB"/>; c broadcasts over rows.</summary>
    public string Gemm(string x, string w, string? c = null, bool transposeB = false)
    {
        var inputs = c is null ? new[] { x, w } : new[] { x, w, c };
        return transposeB ? Node("Gemm", inputs, IntAttribute("transB", 1)) : Node("Gemm", inputs);
    }

    /// <summary>Sum over one axis (opset 13+: axes is an input).</summary>
    public string ReduceSum(string x, long axis, bool keepDims = false)
        => Node("ReduceSum", new[] { x, Int64s(axis) }, IntAttribute("keepdims", keepDims ? 1 : 0));

    /// <summary>Inserts a unit dimension at <paramref name="axis"/> (opset 13+: axes is an input).</summary>
    public string Unsqueeze(string x, long axis) => Node("Unsqueeze", new[] { x, Int64s(axis) });

    /// <summary>1 where x &gt; <paramref name="threshold"/>, else 0, as float32.</summary>
    public string Above(string x, float threshold) => Node("Cast", new[] { Node("Greater", new[] { x, Scalar(threshold) }) }, IntAttribute("to", (int)TensorProto.Types.DataType.Float));

    /// <summary>1 where a = b, else 0, as float32 (broadcasting).</summary>
    public string EqualTo(string a, string b) => Node("Cast", new[] { Node("Equal", new[] { a, b }) }, IntAttribute("to", (int)TensorProto.Types.DataType.Float));

    /// <summary>x reshaped to <paramref name="shape"/> (-1 infers one dimension).</summary>
    public string Reshape(string x, params long[] shape) => Node("Reshape", new[] { x, Int64s(shape) });

    /// <summary>Zero padding: <paramref name="pads"/> lists the begin amounts of every axis, then the end amounts (ONNX Pad).</summary>
    public string PadZeros(string x, params long[] pads) => Node("Pad", new[] { x, Int64s(pads) });

    /// <summary>x[..., starts:ends, ...] on <paramref name="axes"/>.</summary>
    public string Slice(string x, long[] starts, long[] ends, long[] axes) => Node("Slice", new[] { x, Int64s(starts), Int64s(ends), Int64s(axes) });

    /// <summary>The sum along <paramref name="axis"/> of the values before each position (exclusive cumulative sum).</summary>
    public string ExclusiveCumSum(string x, long axis) => Node("CumSum", new[] { x, Int64Scalar(axis) }, IntAttribute("exclusive", 1));

    /// <summary>
    /// softplus(x) = log(1 + e^x) in the overflow-free form max(x, 0) + log(1 + e^-|x|): the exponent is never
    /// positive, so large |x| cannot overflow in float (ONNX Softplus is allowed to compute log(1 + e^x) as written).
    /// </summary>
    public string Softplus(string x) => Add(Relu(x), Log(Add(Scalar(1f), Exp(Neg(Abs(x))))));

    /// <summary>An integer node attribute (AttributeProto type INT).</summary>
    public static AttributeProto IntAttribute(string name, long value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>The finished model: IR 8, opset 17 import, producer and metadata.</summary>
    public ModelProto Build(string producerName, string producerVersion, string docString, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        // A graph needs only the initializers its nodes read (an encode graph, say, never reads the visible bias).
        var read = new HashSet<string>(_graph.Node.SelectMany(n => n.Input), StringComparer.Ordinal);
        var used = _graph.Initializer.Where(t => read.Contains(t.Name)).ToList();
        _graph.Initializer.Clear();
        _graph.Initializer.AddRange(used);
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = producerName,
            ProducerVersion = producerVersion,
            Domain = "ai.freeenergy",
            ModelVersion = 1,
            DocString = docString,
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (key, value) in metadata) model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    private void AddNode(string opType, string[] inputs, string output, AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = "node" + _graph.Node.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + "_" + opType };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
    }

    private static TypeProto FloatType(long?[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d is null ? new TensorShapeProto.Types.Dimension { DimParam = BatchDimension } : new TensorShapeProto.Types.Dimension { DimValue = d.Value });
        return new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } };
    }

    /// <summary>A float32 tensor, data copied into raw_data as little-endian bytes.</summary>
    private static TensorProto FloatTensor(string name, IReadOnlyList<long> dims, ReadOnlySpan<float> data)
    {
        var bytes = new byte[data.Length * sizeof(float)];
        if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(data).CopyTo(bytes);
        else for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), data[i]);
        return Tensor(name, TensorProto.Types.DataType.Float, dims, data.Length, bytes);
    }

    /// <summary>An int64 tensor (shapes, axes), little-endian raw_data.</summary>
    private static TensorProto Int64Tensor(string name, IReadOnlyList<long> dims, long[] values)
    {
        var bytes = new byte[values.Length * sizeof(long)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), values[i]);
        return Tensor(name, TensorProto.Types.DataType.Int64, dims, values.Length, bytes);
    }

    private static TensorProto Tensor(string name, TensorProto.Types.DataType type, IReadOnlyList<long> dims, int count, byte[] raw)
    {
        long product = 1;
        foreach (var d in dims) product *= d;
        if (product != count) throw new ArgumentException($"tensor data has {count} values but its shape [{string.Join(",", dims)}] holds {product}.");
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = UnsafeByteOperations.UnsafeWrap(bytes: raw) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    private void Claim(string name)
    {
        if (!_names.Add(name)) throw new InvalidOperationException($"the graph already has a value named '{name}'.");
    }

    private string Unique(string stem)
    {
        string name = stem;
        while (!_names.Add(name)) name = stem + "_" + (++_counter).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return name;
    }
}
