using System.CommandLine;
using Streams.Cli.Infrastructure;

namespace Streams.Cli.Commands.Schemas;

/// <summary><c>streams schemas list</c>: subjects with their latest version and schema.</summary>
internal static class ListCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var command = new Command("list", "List registry subjects with their latest version");
        cli.SetAction(command, async (_, session, _) =>
        {
            using var registry = session.CreateRegistryClient();
            var subjects = (await registry.GetAllSubjectsAsync().ConfigureAwait(false)).Order(StringComparer.Ordinal).ToList();
            var rows = new List<object>();
            var table = new TextTable("SUBJECT", "VERSION", "ID", "TYPE", "RECORD");
            foreach (var subject in subjects)
            {
                var latest = await registry.GetLatestSchemaAsync(subject).ConfigureAwait(false);
                var record = latest.SchemaType == Confluent.SchemaRegistry.SchemaType.Avro ? Avro.Schema.Parse(latest.SchemaString).Fullname : null;
                rows.Add(new { subject, version = latest.Version, id = latest.Id, type = latest.SchemaType.ToString().ToUpperInvariant(), record });
                table.Add(subject, latest.Version, latest.Id, latest.SchemaType.ToString().ToUpperInvariant(), record);
            }

            await session.WriteAsync(rows, table).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
