using System.CommandLine;
using System.CommandLine.Parsing;

namespace Aether.Simulator.Cli;

/// <summary>A duration option whose default reads "2s" in --help rather than "00:00:02".</summary>
internal sealed class DurationOption(string name, string description, TimeSpan defaultValue)
{
    public Option<TimeSpan?> Option { get; } = new(name)
    {
        Description = $"{description} [default: {Durations.Format(defaultValue)}]",
        HelpName = "duration",
        CustomParser = OptionFactory.ParseDuration,
    };

    public TimeSpan Get(ParseResult result) => result.GetValue(Option) ?? defaultValue;
}

/// <summary>Parsers the command line needs.</summary>
internal static class OptionFactory
{
    public static DurationOption Duration(string name, string description, TimeSpan defaultValue) => new(name, description, defaultValue);

    internal static TimeSpan? ParseDuration(ArgumentResult result)
    {
        string text = result.Tokens.Count == 0 ? "" : result.Tokens[^1].Value;
        if (Durations.TryParse(text, out var value))
        {
            return value;
        }

        result.AddError($"'{text}' is not a duration: use e.g. 250ms, 2s, 1.5s, 5m or 1h.");
        return null;
    }
}
