using System.CommandLine;
using System.Globalization;
using Streams.Cli.Infrastructure;

namespace Streams.Cli.Commands.DeadLetters;

/// <summary><c>streams dead-letters list</c>: the dead letters, filtered by group, reason, original topic and time.</summary>
internal static class ListCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var log = new DeadLetterLog();
        var command = new Command("list", "List dead letters: where they came from, who gave up on them and why");
        log.AddTo(command);
        cli.SetAction(command, async (parse, session, cancellationToken) =>
        {
            var letters = await log.ReadAsync(parse, session, cancellationToken).ConfigureAwait(false);
            var table = new TextTable("DEAD-LETTER", "TIME", "GROUP", "REASON", "ORIGINAL", "EVENT-ID", "EXCEPTION");
            foreach (var d in letters)
            {
                var exception = d.Exception ?? "";
                table.Add(d.Position, d.Time.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), d.Group, d.Reason, d.Original, d.EventId, exception.Length > 60 ? exception[..57] + "..." : exception);
            }

            var json = letters.Select(d => new { deadLetter = d.Position, time = d.Time, group = d.Group, reason = d.Reason, original = d.Original, eventId = d.EventId, eventType = d.EventType, exception = d.Exception }).ToList();
            await session.WriteAsync(json, table).ConfigureAwait(false);
            await session.NoteAsync($"{letters.Count} dead letter(s).").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
