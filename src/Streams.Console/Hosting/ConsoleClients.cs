using Confluent.Kafka;
using Confluent.SchemaRegistry;

namespace Streams.KafkaConsole.Hosting;

/// <summary>
/// One console session's Kafka clients: an admin client (made on first use: the worker's embedded broker starts after
/// DI is built) and tail readers, with the session's credentials; and the registry client all sessions share.
/// </summary>
public sealed class ConsoleClients
{
    private readonly IReadOnlyDictionary<string, string> _kafka;
    private readonly Lazy<IAdminClient> _admin;

    internal ConsoleClients(ConsoleOptions options, IReadOnlyDictionary<string, string> kafka, ISchemaRegistryClient registry, Action<Error>? errors = null)
    {
        (Options, _kafka, Registry) = (options, kafka, registry);
        _admin = new(() =>
        {
            var builder = new AdminClientBuilder(new AdminClientConfig(Settings("admin")));
            if (errors is not null)
            {
                builder.SetErrorHandler((_, error) => errors(error));
            }

            return builder.Build();
        });
    }

    /// <summary>The session's admin client.</summary>
    public IAdminClient Admin => _admin.Value;

    /// <summary>The registry client every session shares.</summary>
    public ISchemaRegistryClient Registry { get; }

    /// <summary>The console's options.</summary>
    public ConsoleOptions Options { get; }

    /// <summary>Whether this session's client settings are PLAINTEXT (no TLS, no SASL): the console's own raw requests speak only that.</summary>
    internal bool IsPlaintext => (_kafka.GetValueOrDefault("security.protocol") ?? "plaintext").Equals("plaintext", StringComparison.OrdinalIgnoreCase);

    /// <summary>A reader for one tail: assigned partitions, a throwaway group id, never commits (looking must not move anyone's offsets).</summary>
    public IConsumer<byte[]?, byte[]?> CreateReader() =>
        new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig(Settings("tail"))
        {
            GroupId = "streams-console-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
        }).Build();

    /// <summary>Closes the admin client (the session's owner calls this once nothing uses it any more).</summary>
    internal void Close()
    {
        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }
    }

    private Dictionary<string, string> Settings(string client)
    {
        var settings = new Dictionary<string, string>(_kafka, StringComparer.Ordinal);
        settings["client.id"] = settings.TryGetValue("client.id", out var id) ? $"{id}/console-{client}" : $"streams-console/{client}";
        return settings;
    }
}
