using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Security;

/// <summary>An embedded broker with security settings, whose audit lines (Streams.Broker.Audit) the test can read.</summary>
internal sealed class AuthenticationBroker : IAsyncDisposable
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly Func<BrokerOptions> _options;

    private AuthenticationBroker(string dataDirectory, ILoggerFactory loggerFactory, Func<BrokerOptions> options)
    {
        DataDirectory = dataDirectory;
        _loggerFactory = loggerFactory;
        _options = options;
    }

    public KafkaBroker Broker { get; private set; } = null!;

    public string DataDirectory { get; }

    /// <summary>Audit lines, in order.</summary>
    public ConcurrentQueue<string> Audit { get; } = new();

    public static async Task<AuthenticationBroker> StartAsync(ITestOutputHelper output, IReadOnlyDictionary<string, string> settings, params string[] scramUsers)
    {
        var directory = Path.Combine(Path.GetTempPath(), "streams-broker-tests", Guid.NewGuid().ToString("N"));
        AuthenticationBroker? broker = null;
        var loggerFactory = LoggerFactory.Create(b =>
        {
            b.SetMinimumLevel(LogLevel.Information);
            b.AddProvider(new TestOutputLoggerProvider(output));
            b.AddProvider(new AuditCapture(line => broker!.Audit.Enqueue(line)));
        });
        broker = new AuthenticationBroker(directory, loggerFactory, () =>
        {
            var options = new BrokerOptions { Port = 0, DataDirectory = directory };
            foreach (var (name, value) in settings)
            {
                options.Settings[name] = value;
            }

            foreach (var user in scramUsers)
            {
                options.ScramUsers.Add(user);
            }

            return options;
        });
        broker.Broker = await KafkaBroker.StartAsync(broker._options(), loggerFactory);
        return broker;
    }

    public string Bootstrap(string listener) => Broker.BootstrapServersFor(listener);

    public async Task RestartAsync()
    {
        await Broker.DisposeAsync();
        var options = _options();
        options.ScramUsers.Clear();
        Broker = await KafkaBroker.StartAsync(options, _loggerFactory);
    }

    /// <summary>Waits until the broker's open connections are back to <paramref name="baseline"/>.</summary>
    public async Task AssertConnectionsBackToAsync(int baseline)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (Broker.OpenConnections > baseline && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(Broker.OpenConnections <= baseline, $"the broker still has {Broker.OpenConnections} connections open, expected {baseline}");
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

    private sealed class AuditCapture(Action<string> sink) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => categoryName == "Streams.Broker.Audit" ? new Capture(sink) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public void Dispose()
        {
        }

        private sealed class Capture(Action<string> sink) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                sink(formatter(state, exception));
        }
    }
}
