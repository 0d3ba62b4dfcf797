using System.Globalization;
using Streams.Operations;
using Streams.Operations.Offsets;

namespace Streams.KafkaConsole.Rendering;

/// <summary>The replay form's words as the planner's request (the CLI's <c>--to-earliest</c>, <c>--to-offset</c>, <c>--shift-by</c>, <c>--to-datetime</c>).</summary>
public static class ResetForms
{
    /// <summary>Reads the form.</summary>
    /// <exception cref="InvalidRequestException">A value is missing or malformed.</exception>
    public static OffsetResetRequest Read(string reset, string? value, string? topic, bool execute)
    {
        var scopes = string.IsNullOrWhiteSpace(topic) ? null
            : TopicScope.TryParse(topic.Trim(), out var scope) ? new[] { scope }
            : throw new InvalidRequestException($"Topic expects topic or topic:0,1, got '{topic}'");
        return reset switch
        {
            "earliest" => new OffsetResetRequest(scopes, ResetSpecifier.ToEarliest, 0, default, null, execute, null),
            "latest" => new OffsetResetRequest(scopes, ResetSpecifier.ToLatest, 0, default, null, execute, null),
            "offset" => new OffsetResetRequest(scopes, ResetSpecifier.ToOffset, Number(value, "an offset"), default, null, execute, null),
            "shift" => new OffsetResetRequest(scopes, ResetSpecifier.ShiftBy, Number(value, "a shift such as -10"), default, null, execute, null),
            "time" => new OffsetResetRequest(scopes, ResetSpecifier.ToDatetime, 0,
                DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
                    ? time : throw new InvalidRequestException($"Give an ISO 8601 time such as 2026-01-31T12:00:00Z, got '{value}'"),
                null, execute, null),
            _ => throw new InvalidRequestException($"Pick a reset: earliest, latest, offset, shift or time (got '{reset}')"),
        };
    }

    private static long Number(string? value, string what) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? number : throw new InvalidRequestException($"Give {what}, got '{value}'");
}
