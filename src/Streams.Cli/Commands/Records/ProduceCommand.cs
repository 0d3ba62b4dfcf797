using System.CommandLine;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Streams.Cli.Infrastructure;
using Streams.Contracts;
using Streams.Contracts.Topics;
using Streams.Messaging.Publishing;
using Streams.Messaging.Serialization;
using Streams.Operations.Records;

namespace Streams.Cli.Commands.Records;

/// <summary>
/// <c>streams produce &lt;topic&gt;</c>: one record per JSON line (stdin or <c>--file</c>), encoded in Confluent's
/// wire format with the subject's schema: Avro, JSON Schema (its <c>$ref</c>s to other subjects followed), or Protobuf
/// (the file's first message, or the one <c>--message</c> names). Every line is checked against the schema before
/// anything is sent, so a bad line (reported with its number and the field at fault) produces nothing rather than half
/// a batch.
/// </summary>
internal static class ProduceCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var topic = new NameArgument("topic", "--topic", "Topic to write to");
        var file = new Option<FileInfo?>("--file") { Description = "JSON lines file (default: standard input)" };
        var type = new Option<string?>("--type") { Description = "Contract record type (e.g. EmployeeLoggedIn); required on topics carrying several types" };
        var subject = new Option<string?>("--subject") { Description = "Use the latest schema of this registry subject (default: the contract's, else <topic>-value)" };
        var keyField = new Option<string?>("--key-field") { Description = "Record field whose value is the key (default: the catalog's key for the topic; none otherwise)" };
        var headers = new Option<string[]>("--header") { Description = "Header name=value added to every record; repeatable" };
        var message = new Option<string?>("--message") { Description = "Protobuf: the message type to write, by full name (e.g. shop.Order.Line); default: the file's first message, as Confluent's serializers" };
        var command = new Command("produce", "Write JSON lines to a topic as Avro, JSON Schema or Protobuf records") { file, type, subject, keyField, headers, message };
        topic.AddTo(command);
        cli.SetAction(command, async (parse, session, cancellationToken) =>
        {
            var name = topic.Read(parse);
            var catalog = TopicCatalog.All.FirstOrDefault(t => t.Name == name);
            var extraHeaders = parse.GetValue(headers) ?? [];
            using var registry = session.CreateRegistryClient();
            var encoder = await ResolveSchemaAsync(registry, name, catalog, parse.GetValue(type), parse.GetValue(subject), parse.GetValue(message)).ConfigureAwait(false);
            var key = parse.GetValue(keyField) ?? catalog?.Key;

            var lines = parse.GetValue(file) is { } path
                ? await File.ReadAllLinesAsync(path.FullName, cancellationToken).ConfigureAwait(false)
                : await ReadAllLinesAsync(session.Input, cancellationToken).ConfigureAwait(false);
            var messages = new List<Message<byte[]?, byte[]?>>();
            for (var i = 0; i < lines.Length; i++)
            {
                if (string.IsNullOrWhiteSpace(lines[i]))
                {
                    continue;
                }

                messages.Add(Encode(lines[i], i + 1, encoder, key, extraHeaders));
            }

            using var producer = session.CreateProducer(c => c.EnableIdempotence = true);
            var progress = new ProgressReporter(session.Error, $"produce {name}", messages.Count);
            for (var i = 0; i < messages.Count; i++)
            {
                await progress.ReportAsync(i).ConfigureAwait(false);
                await producer.ProduceAsync(name, messages[i], cancellationToken).ConfigureAwait(false);
            }

            await session.WriteAsync(new { topic = name, produced = messages.Count, schema = encoder.Name, schemaId = encoder.SchemaId },
                w => w.WriteLineAsync($"Produced {messages.Count} record(s) to {name} as {encoder.Name} (schema id {encoder.SchemaId}).")).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Message<byte[]?, byte[]?> Encode(string line, int number, ValueEncoder encoder, string? keyField, string[] headers)
    {
        byte[] value;
        string? key = null;
        try
        {
            using var json = JsonDocument.Parse(line);
            value = encoder.Encode(json.RootElement);
            if (keyField is not null)
            {
                key = json.RootElement.TryGetProperty(keyField, out var k) && k.ValueKind == JsonValueKind.String ? k.GetString()
                    : throw new JsonSchemaMismatchException($"$.{keyField}", "the key field must be a string");
            }
        }
        catch (JsonException e)
        {
            throw new CliException($"line {number}: not JSON: {e.Message}");
        }
        catch (JsonSchemaMismatchException e)
        {
            throw new CliException($"line {number}: does not match {encoder.Name}: {e.Message}");
        }

        var message = new Message<byte[]?, byte[]?>
        {
            Key = key is null ? null : Encoding.UTF8.GetBytes(key),
            Value = value,
            Headers = [new Header(EventHeaders.EventType, Encoding.UTF8.GetBytes(encoder.Name))],
        };
        foreach (var header in headers)
        {
            var separator = header.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                throw CliException.Usage($"--header expects name=value, got '{header}'");
            }

            message.Headers.Add(header[..separator], Encoding.UTF8.GetBytes(header[(separator + 1)..]));
        }

        return message;
    }

    /// <summary>
    /// The schema to write with and its registry id: a named subject's latest; else the contract type (registered
    /// under the catalog's subject as the application's publisher does); else the latest of <c>&lt;topic&gt;-value</c>.
    /// </summary>
    private static async Task<ValueEncoder> ResolveSchemaAsync(ISchemaRegistryClient registry, string topic, TopicDefinition? catalog, string? typeName, string? subject, string? messageName)
    {
        if (subject is not null)
        {
            return await LatestAsync(registry, subject, messageName).ConfigureAwait(false);
        }

        var candidates = typeName is not null
            ? ContractsAssembly.RecordTypes.Where(t => t.Name == typeName || t.FullName == typeName).ToList()
            : catalog?.ValueTypes.ToList() ?? [];
        if (typeName is not null && candidates.Count != 1)
        {
            throw CliException.Usage($"--type '{typeName}' is not a contract record type; known: {string.Join(", ", ContractsAssembly.RecordTypes.Select(t => t.Name).Order(StringComparer.Ordinal))}");
        }

        if (candidates.Count > 1)
        {
            throw CliException.Usage($"topic '{topic}' carries several record types; choose one with --type ({string.Join(", ", candidates.Select(t => t.Name))})");
        }

        if (candidates.Count == 0)
        {
            return await LatestAsync(registry, $"{topic}-value", messageName).ConfigureAwait(false);
        }

        if (messageName is not null)
        {
            throw CliException.Usage("--message chooses a Protobuf message; contract types are Avro");
        }

        var schema = ((Avro.Specific.ISpecificRecord)Activator.CreateInstance(candidates[0])!).Schema;
        var strategy = (catalog?.SubjectNaming ?? SubjectNaming.Topic).ToConfluent();
        var subjectName = await strategy.ToAsyncDelegate(registry)(new SerializationContext(MessageComponentType.Value, topic), schema.Fullname).ConfigureAwait(false);
        var id = await registry.RegisterSchemaAsync(subjectName, new Schema(schema.ToString(), SchemaType.Avro)).ConfigureAwait(false);
        return new AvroValueEncoder(schema, id);
    }

    private static async Task<ValueEncoder> LatestAsync(ISchemaRegistryClient registry, string subject, string? messageName)
    {
        try
        {
            var latest = await registry.GetLatestSchemaAsync(subject).ConfigureAwait(false);
            if (messageName is not null && latest.SchemaType != SchemaType.Protobuf)
            {
                throw CliException.Usage($"--message chooses a Protobuf message; the schema of '{subject}' is {latest.SchemaType}");
            }

            switch (latest.SchemaType)
            {
                case SchemaType.Json:
                    return new JsonSchemaValueEncoder(await JsonSchemaFiles.LoadAsync(registry, latest).ConfigureAwait(false), latest.Id);
                case SchemaType.Protobuf:
                    var (files, file) = await ProtobufSchemaFiles.LoadAsync(registry, latest.Id, latest).ConfigureAwait(false);
                    var (name, indexes) = ProtobufSchemaFiles.Message(file, messageName)
                        ?? throw (messageName is null
                            ? new CliException($"The Protobuf schema of '{subject}' has no message.")
                            : CliException.Usage($"--message '{messageName}' is not a message of the schema of '{subject}'; it has {string.Join(", ", ProtobufSchemaFiles.MessageNames(file))}"));
                    return new ProtobufValueEncoder(ProtobufJson.For(files).Writer(), name, indexes, latest.Id);
                default:
                    return new AvroValueEncoder(Avro.Schema.Parse(latest.SchemaString), latest.Id);
            }
        }
        catch (SchemaRegistryException e) when (e.ErrorCode / 100 == 404)
        {
            throw new CliException($"No schema registered under subject '{subject}'; register one (streams schemas register) or name a contract with --type.");
        }
    }

    private static async Task<string[]> ReadAllLinesAsync(TextReader reader, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lines.Add(line);
        }

        return [.. lines];
    }
}
