using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using Streams.Cli.Infrastructure;
using Streams.Operations.Records;

namespace Streams.Cli.Commands.DeadLetters;

/// <summary><c>streams dead-letters show &lt;partition:offset&gt;</c>: one dead letter in full, its value decoded when it can be.</summary>
internal static class ShowCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var which = new Argument<string>("dead-letter") { Description = "partition:offset in the dead-letter topic (as 'list' shows it)" };
        var topic = new Option<string>("--dlq-topic") { Description = "The dead-letter topic", DefaultValueFactory = _ => "dead-letters" };
        var command = new Command("show", "Show one dead letter: headers, reason, exception, and its key and value decoded") { which, topic };
        cli.SetAction(command, async (parse, session, cancellationToken) =>
        {
            var (partition, offset) = DeadLetterSelector.Parse(parse.GetValue(which)!);
            var letters = await DeadLetterLog.ReadAllAsync(session, parse.GetValue(topic)!, cancellationToken).ConfigureAwait(false);
            var letter = letters.FirstOrDefault(d => d.Partition == partition && d.Offset == offset)
                ?? throw new CliException($"No dead letter at {partition}:{offset} in {parse.GetValue(topic)}.");

            using var registry = session.CreateRegistryClient();
            var decoder = new RecordDecoder(registry);
            var key = await decoder.DecodeAsync(letter.Key).ConfigureAwait(false);
            JsonNode? value;
            string? valueError = null;
            try
            {
                value = (await decoder.DecodeAsync(letter.Value).ConfigureAwait(false)).Json;
            }
            catch (Exception e) when (e is InvalidDataException or Avro.AvroException or Confluent.SchemaRegistry.SchemaRegistryException)
            {
                // Undecodable values are a common reason to be here: show the bytes instead.
                value = letter.Value is null ? null : JsonValue.Create(Convert.ToBase64String(letter.Value));
                valueError = e.Message;
            }

            var headers = new JsonObject();
            foreach (var header in letter.Headers)
            {
                headers[header.Key] = header.GetValueBytes() is { } bytes ? Encoding.UTF8.GetString(bytes) : null;
            }

            var json = new JsonObject
            {
                ["deadLetter"] = letter.Position,
                ["time"] = letter.Time,
                ["group"] = letter.Group,
                ["reason"] = letter.Reason,
                ["exception"] = letter.Exception,
                ["original"] = letter.Original,
                ["eventId"] = letter.EventId,
                ["eventType"] = letter.EventType,
                ["key"] = key.Json,
                ["headers"] = headers,
                ["value"] = value,
                ["valueError"] = valueError,
            };
            await session.WriteAsync(json, async writer =>
            {
                foreach (var (name, node) in json)
                {
                    if (node is not null)
                    {
                        await writer.WriteLineAsync($"{name,-11} {(node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node.ToJsonString())}").ConfigureAwait(false);
                    }
                }
            }).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
