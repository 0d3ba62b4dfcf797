using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Support;

/// <summary>An embedded broker on an ephemeral port and a temp data directory, removed on dispose.</summary>
public sealed class TestBroker : IAsyncDisposable
{
    private readonly Dictionary<string, string> _settings;
    private readonly ILoggerFactory _loggerFactory;
    private int? _advertisedPort;
    private TimeProvider? _time;

    private TestBroker(string dataDirectory, Dictionary<string, string> settings, ILoggerFactory loggerFactory)
    {
        DataDirectory = dataDirectory;
        _settings = settings;
        _loggerFactory = loggerFactory;
    }

    public KafkaBroker Broker { get; private set; } = null!;

    public string DataDirectory { get; }

    public string BootstrapServers => Broker.BootstrapServers;

    public static async Task<TestBroker> StartAsync(ITestOutputHelper? output = null, IReadOnlyDictionary<string, string>? settings = null, string? dataDirectory = null, int? advertisedPort = null, TimeProvider? time = null)
    {
        var directory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "streams-broker-tests", Guid.NewGuid().ToString("N"));
        var loggerFactory = LoggerFactory.Create(b =>
        {
            b.SetMinimumLevel(LogLevel.Information);
            if (output is not null)
            {
                b.AddProvider(new TestOutputLoggerProvider(output));
            }
        });
        var broker = new TestBroker(directory, new Dictionary<string, string>(settings ?? new Dictionary<string, string>()), loggerFactory) { _advertisedPort = advertisedPort, _time = time };
        await broker.StartBrokerAsync();
        return broker;
    }

    private async Task StartBrokerAsync()
    {
        var options = new BrokerOptions { Port = 0, DataDirectory = DataDirectory, AdvertisedPort = _advertisedPort };
        foreach (var (name, value) in _settings)
        {
            options.Settings[name] = value;
        }

        Broker = await KafkaBroker.StartAsync(options, _loggerFactory, _time);
    }

    /// <summary>Clean stop and start on the same data directory (a new port: clients must bootstrap again).</summary>
    public async Task RestartAsync()
    {
        await Broker.DisposeAsync();
        await StartBrokerAsync();
    }

    /// <summary>Stops, lets the test damage the files, and starts again.</summary>
    public async Task RestartAsync(Action<string> whileStopped)
    {
        await Broker.DisposeAsync();
        whileStopped(DataDirectory);
        await StartBrokerAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Broker.DisposeAsync();
        _loggerFactory.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
