using System.Net;
using System.Net.Sockets;
using Confluent.Kafka;
using Microsoft.Playwright;
using Streams.Broker;
using Streams.Cli;

namespace Streams.KafkaConsole.Tests;

/// <summary>
/// The embedded broker and registry, <c>streams console</c> run in-process against them, and Debian's chromium driven
/// by Playwright (its own driver, the system browser: nothing is downloaded).
/// </summary>
public sealed class ConsoleFixture() : ConsoleClusterFixture("console.log")
{
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>Where the screenshots go: the test output directory.</summary>
    public static string Screenshots => Path.Combine(AppContext.BaseDirectory, "screenshots");

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

    protected override BrokerOptions BrokerOptions(string dataDirectory) => new() { Port = 0, DataDirectory = dataDirectory };

    protected override IEnumerable<string> ConsoleArguments() =>
        ["--bootstrap", Bootstrap, "--trace-url", "http://dashboard.invalid/traces/detail/{traceId}"];

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
