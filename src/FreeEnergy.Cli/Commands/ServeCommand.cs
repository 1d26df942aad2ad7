using System.CommandLine;
using FreeEnergy.Cli.Commands.Rbm;
using FreeEnergy.Cli.Infrastructure;
using FreeEnergy.Cli.Serving;

namespace FreeEnergy.Cli.Commands;

/// <summary>
/// <c>freeenergy serve --model MODEL [--threads N]</c>: a long-lived scoring process (one per Dask worker thread in
/// scale/dask) that reads one JSON request per line on stdin and answers one JSON line per request on stdout
/// (<see cref="ScoringServer"/>); it exits when stdin ends. Anything else the process would print goes to stderr, so
/// stdout carries answers only.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var model = RbmCli.ModelPath();
        var threads = CommonOptions.Threads();
        var command = new Command("serve",
            "Score files on request: read one JSON object per line on stdin ({\"id\": 1, \"data\": \"part.csv\", \"out\": \"part.scores.csv\", "
            + "\"options\": [\"--estimator\", \"exact\"]}), write the scores as `score` does, answer one JSON line per request "
            + "(status, rows, seconds, or the error line); exit at the end of stdin. The model is read once.")
        {
            model, threads,
        };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(model)!;
            int t = CommonOptions.Range("--threads", parse.GetValue(threads), 0, 1024);
            var server = new ScoringServer(path, t);
            var answers = parse.InvocationConfiguration.Output;
            var original = Console.Out;
            Console.SetOut(Console.Error); // stray writes must not break the answer stream
            try
            {
                return server.Run(Console.In, answers);
            }
            finally
            {
                Console.SetOut(original);
            }
        });
        return command;
    }
}
