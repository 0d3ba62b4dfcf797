using System.CommandLine;
using Confluent.SchemaRegistry;
using Streams.Cli.Infrastructure;
using Streams.Contracts;
using Streams.Contracts.Topics;
using Streams.Messaging.Serialization;

namespace Streams.Cli.Commands.Schemas;

/// <summary>
/// Where <c>register</c> and <c>check</c> take a schema from: a file (its extension gives the format: .avsc Avro,
/// .json JSON Schema, .proto Protobuf) with the references its imports or <c>$ref</c>s name, or a contract type.
/// </summary>
internal sealed class SchemaSource
{
    private readonly Option<FileInfo?> _file = new("--file") { Description = "Schema file: .avsc (Avro), .json (JSON Schema) or .proto (Protobuf)" };
    private readonly Option<string?> _type = new("--type") { Description = "A contract record type (e.g. EmployeeLoggedIn), its generated schema" };
    private readonly Option<string[]> _references = new("--reference")
    {
        Description = "A schema the file imports or $refs, as name=subject:version (name: the import path or $ref, e.g. geo/address.proto=address-value:1); repeatable",
    };

    public void AddTo(Command command)
    {
        command.Add(_file);
        command.Add(_type);
        command.Add(_references);
    }

    public async Task<Schema> ReadAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var file = parse.GetValue(_file);
        var type = parse.GetValue(_type);
        if ((file is null) == (type is null))
        {
            throw CliException.Usage("give the schema with either --file <schema.avsc> or --type <ContractType>");
        }

        if (file is not null)
        {
            var text = file.Exists ? await File.ReadAllTextAsync(file.FullName, cancellationToken).ConfigureAwait(false) : throw CliException.Usage($"--file '{file.FullName}' does not exist");
            var references = (parse.GetValue(_references) ?? []).Select(ParseReference).ToList();
            switch (file.Extension.ToLowerInvariant())
            {
                case ".proto":
                    // The registry parses it with its imports (the references) and says what is wrong, line and all.
                    return new Schema(text, references, SchemaType.Protobuf);
                case ".json":
                    try
                    {
                        using var document = System.Text.Json.JsonDocument.Parse(text);
                    }
                    catch (System.Text.Json.JsonException e)
                    {
                        throw new CliException($"{file.Name} is not valid JSON: {e.Message}");
                    }

                    return new Schema(text, references, SchemaType.Json);
                default:
                    if (references.Count > 0)
                    {
                        throw CliException.Usage("--reference is for .proto and .json files");
                    }

                    break;
            }

            try
            {
                // Parse first: a syntax error is better reported here, with the file name, than by the registry.
                return new Schema(Avro.Schema.Parse(text).ToString(), SchemaType.Avro);
            }
            catch (Avro.SchemaParseException e)
            {
                throw new CliException($"{file.Name} is not a valid Avro schema: {e.Message}");
            }
        }

        return new Schema(ContractSchema(type!).ToString(), SchemaType.Avro);
    }

    private static SchemaReference ParseReference(string value)
    {
        var equals = value.IndexOf('=', StringComparison.Ordinal);
        var colon = value.LastIndexOf(':');
        if (equals <= 0 || colon < equals + 2 || !int.TryParse(value[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version))
        {
            throw CliException.Usage($"--reference '{value}': give name=subject:version (e.g. geo/address.proto=address-value:1)");
        }

        return new SchemaReference(value[..equals], value[(equals + 1)..colon], version);
    }

    public static Avro.Schema ContractSchema(string typeName)
    {
        var type = ContractsAssembly.RecordTypes.SingleOrDefault(t => t.Name == typeName || t.FullName == typeName)
            ?? throw CliException.Usage($"'{typeName}' is not a contract record type; known: {string.Join(", ", ContractsAssembly.RecordTypes.Select(t => t.Name).Order(StringComparer.Ordinal))}");
        return ((Avro.Specific.ISpecificRecord)Activator.CreateInstance(type)!).Schema;
    }

    /// <summary>The subject a contract type is registered under by the application (its catalog topic's strategy).</summary>
    public static async Task<string> CatalogSubjectAsync(ISchemaRegistryClient registry, Type type)
    {
        var topic = TopicCatalog.For(type);
        var schema = ((Avro.Specific.ISpecificRecord)Activator.CreateInstance(type)!).Schema;
        return await topic.SubjectNaming.ToConfluent().ToAsyncDelegate(registry)(
            new Confluent.Kafka.SerializationContext(Confluent.Kafka.MessageComponentType.Value, topic.Name), schema.Fullname).ConfigureAwait(false);
    }
}
