using Confluent.SchemaRegistry;
using Microsoft.Extensions.Logging;
using Streams.Broker;

namespace Streams.Registry.Tests.Support;

/// <summary>An embedded broker on a temp directory plus a registry on a free port; restartable, removed on dispose.</summary>
public sealed class RegistryServer : IAsyncDisposable
{
    private readonly string _dataDirectory;
    private readonly Action<SchemaRegistryOptions>? _configure;
    private readonly ILoggerFactory? _loggerFactory;

    private RegistryServer(string dataDirectory, Action<SchemaRegistryOptions>? configure, ILoggerFactory? loggerFactory)
    {
        _dataDirectory = dataDirectory;
        _configure = configure;
        _loggerFactory = loggerFactory;
    }

    public KafkaBroker Broker { get; private set; } = null!;

    public SchemaRegistryHost Registry { get; private set; } = null!;

    public string Url => Registry.Url;

    public static async Task<RegistryServer> StartAsync(Action<SchemaRegistryOptions>? configure = null, ILoggerFactory? loggerFactory = null)
    {
        var server = new RegistryServer(Path.Combine(Path.GetTempPath(), "streams-registry-tests", Guid.NewGuid().ToString("N")), configure, loggerFactory);
        server.Broker = await KafkaBroker.StartAsync(new BrokerOptions { Port = 0, DataDirectory = server._dataDirectory });
        server.Registry = await server.StartRegistryAsync();
        return server;
    }

    /// <summary>Another registry instance on the same broker (a second process would behave the same).</summary>
    public Task<SchemaRegistryHost> StartRegistryAsync(Action<SchemaRegistryOptions>? configure = null)
    {
        var options = new SchemaRegistryOptions { KafkaBootstrapServers = Broker.BootstrapServers, Listen = "http://127.0.0.1:0" };
        _configure?.Invoke(options);
        configure?.Invoke(options);
        return SchemaRegistryHost.StartAsync(options, _loggerFactory);
    }

    /// <summary>Stops the registry and the broker, then starts both again on the same data directory.</summary>
    public async Task RestartAsync()
    {
        await Registry.DisposeAsync();
        await Broker.DisposeAsync();
        Broker = await KafkaBroker.StartAsync(new BrokerOptions { Port = 0, DataDirectory = _dataDirectory });
        Registry = await StartRegistryAsync();
    }

    public CachedSchemaRegistryClient Client(Action<SchemaRegistryConfig>? configure = null)
    {
        var config = new SchemaRegistryConfig { Url = Url };
        configure?.Invoke(config);
        return new CachedSchemaRegistryClient(config);
    }

    public HttpClient Http() => new() { BaseAddress = new Uri(Url) };

    public async ValueTask DisposeAsync()
    {
        await Registry.DisposeAsync();
        await Broker.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>One broker and registry shared by the tests of a class; each test uses its own subjects.</summary>
public sealed class SharedRegistry : IAsyncLifetime
{
    public RegistryServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await RegistryServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
