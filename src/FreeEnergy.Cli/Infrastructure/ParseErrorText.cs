using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace FreeEnergy.Cli.Infrastructure;

/// <summary>
/// One line, in the user's words, for a command line System.CommandLine could not parse: a bad value names the option,
/// what it takes and what was given ("--hidden must be a whole number (got 'abc')."); an unknown word or a missing
/// required option points at the verb's help. Errors about what the user typed come before missing options.
/// </summary>
internal static partial class ParseErrorText
{
    /// <summary>The line for the first error of <paramref name="parse"/> worth showing (without the "error: " prefix).</summary>
    public static string OneLine(ParseResult parse)
    {
        string verb = VerbPath(parse.CommandResult);
        string help = $"see '{verb} --help'";
        foreach (var error in parse.Errors)
            if (OptionOf(error.SymbolResult) is { } option && ValueError(option, error.Message) is { } line)
                return line;
        if (parse.UnmatchedTokens.Count > 0)
            return $"'{parse.UnmatchedTokens[0]}' is not an option or verb of {verb}; {help}.";
        var missing = MissingRequired(parse);
        if (missing.Count > 0)
            return $"{verb} needs {string.Join(" and ", missing)}; {help}.";
        if (parse.CommandResult.Command.Subcommands.Count > 0 && parse.CommandResult.Command.Action is null)
            return $"{verb} needs a verb: {string.Join(", ", parse.CommandResult.Command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}; {help}.";
        return parse.Errors.Count == 0 ? $"the command line could not be read; {help}." : Collapse(parse.Errors[0].Message);
    }

    /// <summary>The message for a bad value of <paramref name="option"/>, or null when the error is not about its value.</summary>
    private static string? ValueError(OptionResult option, string message)
    {
        string name = option.Option.Name;
        // Messages our own parsers and validators add already name the option in the user's words.
        if (message.StartsWith(name, StringComparison.Ordinal)) return Collapse(message);
        if (option.Tokens.Count == 0) return option.Implicit ? null : $"{name} needs a value.";
        if (option.Tokens.Count > 1 && option.Option.Arity.MaximumNumberOfValues == 1)
            return $"{name} takes one value (got {string.Join(" ", option.Tokens.Select(t => $"'{t.Value}'"))}).";
        string value = option.Tokens[^1].Value;
        var allowed = AllowedValues().Matches(message.Contains("one of", StringComparison.OrdinalIgnoreCase) ? message[message.IndexOf("one of", StringComparison.OrdinalIgnoreCase)..] : "");
        if (allowed.Count > 0)
            return $"{name} must be one of {string.Join(", ", allowed.Select(m => m.Groups[1].Value))} (got '{value}').";
        var type = Nullable.GetUnderlyingType(option.Option.ValueType) ?? option.Option.ValueType;
        string? what = type == typeof(int) || type == typeof(long) ? "a whole number"
            : type == typeof(uint) || type == typeof(ulong) ? "a whole number of zero or more"
            : type == typeof(float) || type == typeof(double) ? "a number"
            : type == typeof(bool) ? "true or false"
            : null;
        return what is null ? null : $"{name} must be {what} (got '{value}').";
    }

    private static OptionResult? OptionOf(SymbolResult? result) => result switch
    {
        OptionResult option => option,
        ArgumentResult { Parent: OptionResult option } => option,
        _ => null,
    };

    private static List<string> MissingRequired(ParseResult parse)
    {
        var missing = new List<string>();
        for (SymbolResult? result = parse.CommandResult; result is CommandResult command; result = command.Parent)
            foreach (var option in command.Command.Options)
                if (option.Required && parse.GetResult(option) is not OptionResult { Implicit: false })
                    missing.Add(option.Name);
        return missing;
    }

    /// <summary>"freeenergy train", "freeenergy bench gemm" (without the tool's name: "train", "bench gemm").</summary>
    internal static string VerbPath(CommandResult command, bool withTool = true)
    {
        var names = new List<string>();
        for (SymbolResult? result = command; result is CommandResult c; result = c.Parent) names.Insert(0, c.Command.Name);
        if (!withTool && names.Count > 1) names.RemoveAt(0);
        return string.Join(" ", names);
    }

    private static string Collapse(string message) => WhiteSpace().Replace(message, " ").Trim();

    [GeneratedRegex(@"'([^']*)'")]
    private static partial Regex AllowedValues();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
