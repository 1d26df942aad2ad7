using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Compute.Cpu;
using FreeEnergy.Cli.Commands.Rbm;
using FreeEnergy.Data;

namespace FreeEnergy.Cli.Commands;

/// <summary>
/// <c>freeenergy bench score --model M --data PATH [--rows N] [--batch B] [--threads T]</c>: free-energy scoring
/// throughput (rows/s) of the engine, batch by batch, as the ONNX Runtime side of build/bench/score.sh measures it.
/// </summary>
internal static class BenchScoreCommand
{
    public static Command Create()
    {
        var model = RbmCli.ModelPath();
        var data = RbmCli.DataPath();
        var rows = new Option<int>("--rows") { Description = "Rows to score per repeat (taken from the start of the data).", DefaultValueFactory = _ => 10000 };
        var batch = new Option<int>("--batch") { Description = "Rows per call.", DefaultValueFactory = _ => 1000 };
        var repeats = new Option<int>("--repeats") { Description = "Timed repeats after warm-up (median reported).", DefaultValueFactory = _ => 10 };
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var command = new Command("score", "Time the default free-energy score of a model (rows/s, median of repeats after warm-up).");
        foreach (var o in new Option[] { model, data, rows, batch, repeats, threads, json }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            var backend = new CpuBackend(CommonOptions.Range("--threads", parse.GetValue(threads), 0, 1024));
            var m = RbmCli.LoadAny(parse.GetValue(model)!, backend);
            var set = DataReader.Read(parse.GetValue(data)!, new DataReadOptions { MaxRows = CommonOptions.Range("--rows", parse.GetValue(rows), 1) });
            RbmCli.CheckData(m, set);
            int b = CommonOptions.Range("--batch", parse.GetValue(batch), 1);
            int reps = CommonOptions.Range("--repeats", parse.GetValue(repeats), 1, 10000);
            var x = set.Features;
            void ScoreAll()
            {
                for (int start = 0; start < x.Rows; start += b) m.FreeEnergy(x.RowRange(start, Math.Min(b, x.Rows - start)));
            }
            double median = MedianTimer.MedianSeconds(ScoreAll, reps, warmupSeconds: 0.5);
            var result = new JsonObject
            {
                ["benchmark"] = "score",
                ["model"] = m.Kind,
                ["input"] = m.InputDimension,
                ["encoded"] = m.EncodedDimension,
                ["rows"] = x.Rows,
                ["batch"] = b,
                ["threads"] = backend.Threads,
                ["backend"] = backend.Name,
                ["medianSeconds"] = median,
                ["rowsPerSecond"] = x.Rows / median,
            };
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) JsonOutput.Write(parse, result);
            else stdout.WriteLine($"score {m.Kind} {m.InputDimension}->{m.EncodedDimension}: {x.Rows / median:F0} rows/s (batch {b}, {backend.Name})");
            return ExitCodes.Success;
        });
        return command;
    }
}
