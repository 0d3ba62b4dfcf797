using System.CommandLine;
using System.Globalization;
using System.Xml;
using Streams.Cli.Infrastructure;
using Streams.Operations.Offsets;

namespace Streams.Cli.Commands.Groups;

/// <summary>
/// The scope, specifier and execute/export options of <c>kafka-consumer-groups --reset-offsets</c>, shared by
/// <c>groups reset-offsets</c> and <c>app reset</c> so both accept exactly the same words.
/// </summary>
internal sealed class OffsetResetOptions
{
    private readonly Option<string[]> _topic = new("--topic") { Description = "Topic to reset, all its partitions (t) or some (t:0,1); repeatable" };
    private readonly Option<bool> _allTopics = new("--all-topics") { Description = "Every topic the group has committed offsets on" };
    private readonly Option<bool> _toEarliest = new("--to-earliest") { Description = "Reset to the earliest offset still in the log" };
    private readonly Option<bool> _toLatest = new("--to-latest") { Description = "Reset to the log end offset (skip everything)" };
    private readonly Option<bool> _toCurrent = new("--to-current") { Description = "Reset to the committed offset (log end where none)" };
    private readonly Option<long?> _toOffset = new("--to-offset") { Description = "Reset to this offset (clamped to the log's range)" };
    private readonly Option<long?> _shiftBy = new("--shift-by") { Description = "Move the committed offset by n (negative rewinds), clamped to the log's range" };
    private readonly Option<string?> _toDatetime = new("--to-datetime") { Description = "Reset to the first record at or after this time (ISO 8601, e.g. 2026-01-31T12:00:00Z; no zone means UTC)" };
    private readonly Option<string?> _byDuration = new("--by-duration") { Description = "Reset to the first record at or after now minus this ISO 8601 duration (e.g. PT1H, P1DT12H)" };
    private readonly Option<FileInfo?> _fromFile = new("--from-file") { Description = "Reset to the offsets of a CSV plan (topic,partition,offset lines, as --export writes)" };
    private readonly Option<bool> _dryRun = new("--dry-run") { Description = "Only print the plan (the default)" };
    private readonly Option<bool> _execute = new("--execute") { Description = "Apply the plan" };
    private readonly Option<FileInfo?> _export = new("--export") { Description = "Also write the plan as CSV to this file (for --from-file)" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _topic, _allTopics, _toEarliest, _toLatest, _toCurrent, _toOffset, _shiftBy, _toDatetime, _byDuration, _fromFile, _dryRun, _execute, _export })
        {
            command.Add(option);
        }
    }

    /// <param name="parse">The command line.</param>
    /// <param name="time">The clock <c>--by-duration</c> counts back from.</param>
    /// <param name="defaults">When set, the specifier used if none is given and the scope is then all topics (Kafka's application reset tool resets inputs to the earliest offset by default).</param>
    public OffsetResetRequest Read(ParseResult parse, TimeProvider time, ResetSpecifier? defaults = null)
    {
        var specifiers = new List<(ResetSpecifier Specifier, long Value, DateTimeOffset Time, string? File)>();
        if (parse.GetValue(_toEarliest))
        {
            specifiers.Add((ResetSpecifier.ToEarliest, 0, default, null));
        }

        if (parse.GetValue(_toLatest))
        {
            specifiers.Add((ResetSpecifier.ToLatest, 0, default, null));
        }

        if (parse.GetValue(_toCurrent))
        {
            specifiers.Add((ResetSpecifier.ToCurrent, 0, default, null));
        }

        if (parse.GetValue(_toOffset) is { } offset)
        {
            specifiers.Add((ResetSpecifier.ToOffset, offset, default, null));
        }

        if (parse.GetValue(_shiftBy) is { } shift)
        {
            specifiers.Add((ResetSpecifier.ShiftBy, shift, default, null));
        }

        if (parse.GetValue(_toDatetime) is { } datetime)
        {
            specifiers.Add((ResetSpecifier.ToDatetime, 0, ParseDateTime(datetime), null));
        }

        if (parse.GetValue(_byDuration) is { } duration)
        {
            specifiers.Add((ResetSpecifier.ToDatetime, 0, time.GetUtcNow() - ParseDuration(duration), null));
        }

        if (parse.GetValue(_fromFile) is { } file)
        {
            specifiers.Add((ResetSpecifier.FromFile, 0, default, file.FullName));
        }

        if (specifiers.Count == 0 && defaults is { } fallback)
        {
            specifiers.Add((fallback, 0, default, null));
        }

        if (specifiers.Count != 1)
        {
            throw CliException.Usage("give exactly one of --to-earliest, --to-latest, --to-current, --to-offset, --shift-by, --to-datetime, --by-duration, --from-file");
        }

        var topics = parse.GetValue(_topic) ?? [];
        var allTopics = parse.GetValue(_allTopics);
        if (topics.Length > 0 && allTopics)
        {
            throw CliException.Usage("give either --topic or --all-topics, not both");
        }

        var chosen = specifiers[0];
        if (topics.Length == 0 && !allTopics && chosen.Specifier != ResetSpecifier.FromFile && defaults is null)
        {
            throw CliException.Usage("give the scope: --topic <topic>[:<partition>,...] (repeatable) or --all-topics");
        }

        if (parse.GetValue(_execute) && parse.GetValue(_dryRun))
        {
            throw CliException.Usage("give either --execute or --dry-run, not both");
        }

        return new OffsetResetRequest(
            topics.Length == 0 ? null : [.. topics.Select(ParseScope)],
            chosen.Specifier, chosen.Value, chosen.Time, chosen.File,
            parse.GetValue(_execute), parse.GetValue(_export)?.FullName);
    }

    private static TopicScope ParseScope(string value) =>
        TopicScope.TryParse(value, out var scope) ? scope : throw CliException.Usage($"--topic expects topic or topic:0,1,... got '{value}'");

    private static DateTimeOffset ParseDateTime(string value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            ? parsed
            : throw CliException.Usage($"--to-datetime expects an ISO 8601 time such as 2026-01-31T12:00:00Z, got '{value}'");

    private static TimeSpan ParseDuration(string value)
    {
        try
        {
            // Kafka's --by-duration takes ISO 8601 durations (PnDTnHnMnS); XmlConvert reads exactly that format.
            var duration = XmlConvert.ToTimeSpan(value);
            return duration >= TimeSpan.Zero ? duration : throw new FormatException();
        }
        catch (FormatException)
        {
            throw CliException.Usage($"--by-duration expects an ISO 8601 duration such as PT1H or P1DT12H, got '{value}'");
        }
    }
}
