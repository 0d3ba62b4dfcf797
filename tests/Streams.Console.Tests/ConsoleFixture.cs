using System.Net;
using System.Net.Sockets;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Playwright;
using Streams.Broker;
using Streams.Cli;
using Streams.Registry;

namespace Streams.KafkaConsole.Tests;

/// <summary>
/// The embedded broker and registry, <c>streams console</c> run in-process against them, and Debian's chromium driven
/// by Playwright (its own driver, the system browser: nothing is downloaded).
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "streams-console-tests", Guid.NewGuid().ToString("N"));
    private readonly CancellationTokenSource _stop = new();
    private KafkaBroker _broker = null!;
    private SchemaRegistryHost _registry = null!;
    private Task<int>? _console;
    private IPlaywright? _playwright;
    private readonly List<IPage> _pages = [];

    // The console's own log (warnings and errors), beside the screenshots, for reading a failed run.
    private readonly TextWriter _log = TextWriter.Synchronized(new StreamWriter(Path.Combine(AppContext.BaseDirectory, "console.log")) { AutoFlush = true });

    public string Bootstrap => _broker.BootstrapServers;

    public string RegistryUrl => _registry.Url;

    public string ConsoleUrl { get; private set; } = "";

    public IAdminClient Admin { get; private set; } = null!;

    public IBrowser? Browser { get; private set; }

    /// <summary>Where the screenshots go: the test output directory.</summary>
    public static string Screenshots => Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        _broker = await KafkaBroker.StartAsync(new BrokerOptions { Port = 0, DataDirectory = _dataDirectory });
        _registry = await SchemaRegistryHost.StartAsync(new SchemaRegistryOptions { KafkaBootstrapServers = _broker.BootstrapServers, Listen = "http://127.0.0.1:0" });
        Admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Bootstrap }).Build();

        ConsoleUrl = $"http://127.0.0.1:{FreePort()}";
        _console = StreamsCli.RunAsync(["console", "--listen", ConsoleUrl, "--bootstrap", Bootstrap, "--registry", RegistryUrl,
            "--trace-url", "http://dashboard.invalid/traces/detail/{traceId}"], TextWriter.Null, _log, null, _stop.Token);
        await WaitForAsync(ConsoleUrl, () => _console.IsCompleted);
        (_playwright, Browser) = await LaunchBrowserAsync();

        Directory.CreateDirectory(Screenshots);
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
        await _broker.DisposeAsync();
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

    public async Task<IPage> OpenAsync(string path)
    {
        Skip.If(Browser is null, $"no {Chromium} (Debian: apt-get install chromium)");
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
    public Task ClosePagesAsync() => ClosePagesAsync(_pages);

    internal static async Task ClosePagesAsync(List<IPage> pages)
    {
        IPage[] open;
        lock (pages)
        {
            open = [.. pages];
            pages.Clear();
        }

        foreach (var page in open)
        {
            await page.Context.CloseAsync();
        }
    }

    public async Task CreateTopicAsync(string topic, int partitions) =>
        await Admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]);

    public async Task ProduceAsync(string topic, int partition, int count, string prefix = "v", Headers? headers = null)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = Bootstrap }).Build();
        for (var i = 0; i < count; i++)
        {
            await producer.ProduceAsync(new TopicPartition(topic, partition), new Message<string, string> { Key = $"k{i}", Value = $"{prefix}{i}", Headers = headers });
        }
    }

    /// <summary>Runs <c>streams</c> in-process against this cluster and returns what it printed.</summary>
    public async Task<string> RunCliAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await StreamsCli.RunAsync([.. args, "--bootstrap", Bootstrap, "--registry", RegistryUrl], output, error);
        Assert.True(exit == 0, $"streams {string.Join(' ', args)} exited {exit}: {error}");
        return output.ToString();
    }

    /// <summary>Debian's chromium through Playwright, or no browser (the browser tests then skip) where it is missing.</summary>
    public static async Task<(IPlaywright? Playwright, IBrowser? Browser)> LaunchBrowserAsync()
    {
        if (!File.Exists(Chromium))
        {
            return (null, null);
        }

        var playwright = await Playwright.CreateAsync();
        return (playwright, await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] }));
    }

    /// <summary>Waits until the console at <paramref name="url"/> serves its assets (or <paramref name="failed"/>).</summary>
    public static async Task WaitForAsync(string url, Func<bool> failed)
    {
        using var http = new HttpClient();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                (await http.GetAsync(url + "/console/assets/console.css")).EnsureSuccessStatusCode();
                return;
            }
            catch (HttpRequestException) when (attempt < 100 && !failed())
            {
                await Task.Delay(100);
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleFixture>
{
    public const string Name = "console";
}
