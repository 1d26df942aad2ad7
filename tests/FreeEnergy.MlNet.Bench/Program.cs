// build/bench.sh mlnet: FreeEnergyML through ML.NET, measured against ML.NET's own RandomizedPca and against the engine.
//   auc        [--digits 0,1,...] [--epochs 30] [--data DIR]   one-class MNIST AUC per digit (AnomalyDetection.Evaluate)
//   throughput [--rows 10000] [--hidden 500] [--data DIR]      Transform rows/s of FreeEnergyScore/FreeEnergyEncode vs the engine
//   onnx-score --model FILE.onnx [--rows 1000] [--threads 1]   ONNX Runtime rows/s on one batch (build/bench.sh score)
// Prints a markdown table on stderr and one JSON document on stdout.
using System.Text.Json.Nodes;
using FreeEnergy.MlNet.Bench;

var arguments = BenchArguments.Parse(args);
JsonObject result = arguments.Verb switch
{
    "auc" => OneClassAuc.Run(arguments),
    "throughput" => TransformThroughput.Run(arguments),
    "onnx-score" => OnnxScoreThroughput.Run(arguments),
    _ => throw new ArgumentException("usage: FreeEnergy.MlNet.Bench auc|throughput [--digits 0,1] [--epochs 30] [--rows 10000] [--hidden 500] [--data DIR]"),
};
result["machine"] = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
Console.WriteLine(result.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
