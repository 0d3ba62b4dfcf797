using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Playwright;
using Streams.Broker;
using Streams.Cli;
using Streams.Registry;

namespace Streams.KafkaConsole.Tests;

/// <summary>
/// What both console fixtures run: the embedded broker, the registry on its PLAINTEXT listener, an admin client acting
/// on that listener, <c>streams console</c> in-process (its warnings and errors in a log file beside the screenshots),
/// and Debian's chromium driven by Playwright. The fixtures differ in the broker's settings and the console's arguments.
/// </summary>
public abstract class ConsoleClusterFixture(string logFile) : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "streams-console-tests", Guid.NewGuid().ToString("N"));
    private readonly CancellationTokenSource _stop = new();
    private readonly List<IPage> _pages = [];
    private TextWriter _log = TextWriter.Null;
    private SchemaRegistryHost _registry = null!;
    private Task<int>? _console;
    private IPlaywright? _playwright;

    /// <summary>The broker's PLAINTEXT listener (where the tests act without an identity, as a super user where ACLs are on).</summary>
    public string Bootstrap => Broker.BootstrapServersFor("PLAINTEXT");

    public string RegistryUrl => _registry.Url;

    public string ConsoleUrl { get; private set; } = "";

    public IAdminClient Admin { get; private set; } = null!;

    public IBrowser? Browser { get; private set; }

    /// <summary>The console's log (warnings and errors, slow pages among them), for reading a failed run.</summary>
    public string LogPath => Path.Combine(AppContext.BaseDirectory, logFile);

    protected KafkaBroker Broker { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _log = TextWriter.Synchronized(new StreamWriter(new FileStream(LogPath, FileMode.Create, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true });
        Broker = await KafkaBroker.StartAsync(BrokerOptions(_dataDirectory));
        _registry = await SchemaRegistryHost.StartAsync(new SchemaRegistryOptions { KafkaBootstrapServers = Bootstrap, Listen = "http://127.0.0.1:0" });
        Admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Bootstrap }).Build();

        ConsoleUrl = $"http://127.0.0.1:{ConsoleFixture.FreePort()}";
        _console = StreamsCli.RunAsync(["console", "--listen", ConsoleUrl, "--registry", RegistryUrl, .. ConsoleArguments()], TextWriter.Null, _log, null, _stop.Token);
        await ConsoleFixture.WaitForAsync(ConsoleUrl, () => _console.IsCompleted);
        (_playwright, Browser) = await ConsoleFixture.LaunchBrowserAsync();
        Directory.CreateDirectory(ConsoleFixture.Screenshots);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await _stop.CancelAsync();
        if (_console is not null)
        {
            await _console;
        }

        Admin.Dispose();
        await _registry.DisposeAsync();
        await Broker.DisposeAsync();
        _stop.Dispose();
        await _log.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// A fresh browser context (its own cookies: another person) on <paramref name="path"/>, closed by
    /// <see cref="ClosePagesAsync"/>.
    /// </summary>
    public async Task<IPage> OpenAsync(string path)
    {
        Skip.If(Browser is null, $"no {ConsoleFixture.Chromium} (Debian: apt-get install chromium)");
        var page = await Browser!.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        lock (_pages)
        {
            _pages.Add(page);
        }

        await page.GotoAsync(ConsoleUrl + path);
        return page;
    }

    /// <summary>
    /// Closes the pages a test opened: each one's live streams and tails end, so they do not hold the console's
    /// threads and Kafka clients through the tests that follow.
    /// </summary>
    public async Task ClosePagesAsync()
    {
        IPage[] open;
        lock (_pages)
        {
            open = [.. _pages];
            _pages.Clear();
        }

        foreach (var page in open)
        {
            await page.Context.CloseAsync();
        }
    }

    public async Task CreateTopicAsync(string topic, int partitions) =>
        await Admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]);

    /// <summary>The broker's settings, its data in <paramref name="dataDirectory"/>.</summary>
    protected abstract BrokerOptions BrokerOptions(string dataDirectory);

    /// <summary><c>streams console</c>'s arguments besides where it listens and the registry: the cluster and its client settings.</summary>
    protected abstract IEnumerable<string> ConsoleArguments();
}
