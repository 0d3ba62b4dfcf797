using System.CommandLine;
using System.Text.Json;
using Confluent.SchemaRegistry;
using Streams.Cli.Infrastructure;

namespace Streams.Cli.Commands.Schemas;

/// <summary><c>streams schemas get &lt;subject&gt;</c>: one version of a subject (latest by default).</summary>
internal static class GetCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var subject = new Argument<string>("subject") { Description = "Registry subject, e.g. logins-value" };
        var version = new Option<int?>("--version") { Description = "Version number (default: latest)" };
        var command = new Command("get", "Show a subject's schema") { subject, version };
        cli.SetAction(command, async (parse, session, _) =>
        {
            var name = parse.GetRequiredValue(subject);
            using var registry = session.CreateRegistryClient();
            RegisteredSchema schema;
            try
            {
                schema = parse.GetValue(version) is { } number
                    ? await registry.GetRegisteredSchemaAsync(name, number).ConfigureAwait(false)
                    : await registry.GetLatestSchemaAsync(name).ConfigureAwait(false);
            }
            catch (SchemaRegistryException e) when (e.ErrorCode / 100 == 404)
            {
                throw new CliException($"Subject '{name}'{(parse.GetValue(version) is { } v ? $" version {v}" : "")} not found.");
            }

            var type = schema.SchemaType.ToString().ToUpperInvariant();
            if (schema.SchemaType == SchemaType.Protobuf)
            {
                // .proto text: shown as it is, and a string in JSON output.
                await session.WriteAsync(new { subject = name, version = schema.Version, id = schema.Id, type, schema = schema.SchemaString }, async writer =>
                {
                    await writer.WriteLineAsync($"Subject {name}, version {schema.Version}, id {schema.Id}, {type}").ConfigureAwait(false);
                    await writer.WriteLineAsync(schema.SchemaString).ConfigureAwait(false);
                }).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            using var document = JsonDocument.Parse(schema.SchemaString);
            var json = new { subject = name, version = schema.Version, id = schema.Id, type, schema = document.RootElement.Clone() };
            await session.WriteAsync(json, async writer =>
            {
                await writer.WriteLineAsync($"Subject {name}, version {schema.Version}, id {schema.Id}{(schema.SchemaType == SchemaType.Avro ? "" : ", " + type)}").ConfigureAwait(false);
                await writer.WriteLineAsync(JsonSerializer.Serialize(document.RootElement, new JsonSerializerOptions { WriteIndented = true })).ConfigureAwait(false);
            }).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
