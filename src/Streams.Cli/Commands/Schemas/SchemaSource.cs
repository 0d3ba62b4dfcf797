using System.CommandLine;
using Confluent.SchemaRegistry;
using Streams.Cli.Infrastructure;
using Streams.Contracts;
using Streams.Contracts.Topics;
using Streams.Messaging.Serialization;

namespace Streams.Cli.Commands.Schemas;

/// <summary>Where <c>register</c> and <c>check</c> take a schema from: an .avsc file or a contract type.</summary>
internal sealed class SchemaSource
{
    private readonly Option<FileInfo?> _file = new("--file") { Description = "Avro schema file (.avsc)" };
    private readonly Option<string?> _type = new("--type") { Description = "A contract record type (e.g. EmployeeLoggedIn), its generated schema" };

    public void AddTo(Command command)
    {
        command.Add(_file);
        command.Add(_type);
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
