using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.Options;

namespace Streams.KafkaConsole.Hosting;

/// <summary>The console's shared admin and registry clients (made on first use: the worker's embedded broker starts after DI is built) and its tail readers.</summary>
public sealed class ConsoleClients(IOptions<ConsoleOptions> options) : IDisposable
{
    private readonly Lazy<IAdminClient> _admin = new(() => new AdminClientBuilder(new AdminClientConfig(Settings(options.Value, "admin"))).Build());
    private readonly Lazy<ISchemaRegistryClient> _registry = new(() => new CachedSchemaRegistryClient(new Dictionary<string, string>(options.Value.SchemaRegistry)));

    /// <summary>The admin client every page shares.</summary>
    public IAdminClient Admin => _admin.Value;

    /// <summary>The registry client every page shares.</summary>
    public ISchemaRegistryClient Registry => _registry.Value;

    /// <summary>The console's options.</summary>
    public ConsoleOptions Options => options.Value;

    /// <summary>A reader for one tail: assigned partitions, a throwaway group id, never commits (looking must not move anyone's offsets).</summary>
    public IConsumer<byte[]?, byte[]?> CreateReader() =>
        new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig(Settings(options.Value, "tail"))
        {
            GroupId = "streams-console-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
        }).Build();

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }

        if (_registry.IsValueCreated)
        {
            _registry.Value.Dispose();
        }
    }

    private static Dictionary<string, string> Settings(ConsoleOptions options, string client)
    {
        var settings = new Dictionary<string, string>(options.Kafka, StringComparer.Ordinal);
        settings["client.id"] = settings.TryGetValue("client.id", out var id) ? $"{id}/console-{client}" : $"streams-console/{client}";
        return settings;
    }
}
