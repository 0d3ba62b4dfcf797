using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Playwright;
using Streams.Broker;
using Streams.Cli;
using Streams.Registry;

namespace Streams.KafkaConsole.Tests;

/// <summary>
/// A secured cluster as <c>SecuredClusterFixture</c> of the CLI tests makes it (authorizer on, no ACL means no access):
/// a PLAINTEXT listener where the test and the registry act as ANONYMOUS, a super user; a SASL_PLAINTEXT listener
/// with SCRAM users alice (a few ACLs) and admin (a super user). <c>streams console</c> runs against the SASL
/// listener, so each browser signs in.
/// </summary>
public sealed class SecuredConsoleFixture : IAsyncLifetime
{
    public const string AlicePassword = "alice-secret";
    public const string AdminPassword = "admin-secret";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "streams-console-tests", Guid.NewGuid().ToString("N"));
    private readonly CancellationTokenSource _stop = new();
    private readonly TextWriter _log = TextWriter.Synchronized(new StreamWriter(new FileStream(LogPath, FileMode.Create, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true });
    private KafkaBroker _broker = null!;
    private SchemaRegistryHost _registry = null!;
    private Task<int>? _console;
    private IPlaywright? _playwright;
    private readonly List<IPage> _pages = [];

    /// <summary>The PLAINTEXT listener, as a super user.</summary>
    public string Bootstrap => _broker.BootstrapServersFor("PLAINTEXT");

    /// <summary>The SASL_PLAINTEXT listener (SCRAM-SHA-256).</summary>
    public string SaslBootstrap => _broker.BootstrapServersFor("SASL_PLAINTEXT");

    public string ConsoleUrl { get; private set; } = "";

    public string RegistryUrl => _registry.Url;

    public IAdminClient Admin { get; private set; } = null!;

    public IBrowser? Browser { get; private set; }

    public async Task InitializeAsync()
    {
        var options = new BrokerOptions { Port = 0, DataDirectory = _dataDirectory };
        options.Settings["listeners"] = "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0";
        options.Settings["sasl.enabled.mechanisms"] = "SCRAM-SHA-256";
        options.Settings["authorizer.class.name"] = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";
        options.Settings["super.users"] = "User:ANONYMOUS;User:admin";
        options.Settings["allow.everyone.if.no.acl.found"] = "false";
        options.ScramUsers.Add($"SCRAM-SHA-256=[name=alice,password={AlicePassword}]");
        options.ScramUsers.Add($"SCRAM-SHA-256=[name=admin,password={AdminPassword}]");
        _broker = await KafkaBroker.StartAsync(options);
        _registry = await SchemaRegistryHost.StartAsync(new SchemaRegistryOptions { KafkaBootstrapServers = Bootstrap, Listen = "http://127.0.0.1:0" });
        Admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Bootstrap }).Build();

        ConsoleUrl = $"http://127.0.0.1:{ConsoleFixture.FreePort()}";
        _console = StreamsCli.RunAsync(["console", "--listen", ConsoleUrl, "--bootstrap", SaslBootstrap, "--registry", RegistryUrl,
            "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanism=SCRAM-SHA-256"], TextWriter.Null, _log, null, _stop.Token);
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

    /// <summary>A fresh browser context (its own cookies: another person) on <paramref name="path"/>.</summary>
    public async Task<IPage> OpenAsync(string path)
    {
        Skip.If(Browser is null, $"no {ConsoleFixture.Chromium} (Debian: apt-get install chromium)");
        var context = await Browser!.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        lock (_pages)
        {
            _pages.Add(page);
        }

        await page.GotoAsync(ConsoleUrl + path);
        return page;
    }

    /// <summary>Closes the browsers a test opened (their sessions' live streams end with them).</summary>
    public Task ClosePagesAsync() => ConsoleFixture.ClosePagesAsync(_pages);

    /// <summary>The console's log: warnings and errors (slow pages among them), printed with a failed test.</summary>
    public static string LogPath => Path.Combine(AppContext.BaseDirectory, "secured-console.log");

    /// <summary>Signs in on the sign-in page <paramref name="page"/> shows.</summary>
    public static async Task SignInAsync(IPage page, string user, string password)
    {
        await page.FillAsync("input[name='user']", user);
        await page.FillAsync("input[name='password']", password);
        await page.ClickAsync("#sign-in-button");
    }

    public async Task CreateTopicAsync(string topic, int partitions) =>
        await Admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]);

    public async Task ProduceAsync(string topic, int count, string prefix = "v")
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = Bootstrap }).Build();
        for (var i = 0; i < count; i++)
        {
            await producer.ProduceAsync(topic, new Message<string, string> { Key = $"k{i}", Value = $"{prefix}{i}" });
        }
    }

    /// <summary>Lets User:alice do <paramref name="operations"/> on the resource.</summary>
    public Task AllowAliceAsync(ResourceType type, string name, params AclOperation[] operations) =>
        AllowAliceAsync(type, name, ResourcePatternType.Literal, operations);

    /// <summary>Lets User:alice do <paramref name="operations"/> on the resources matching <paramref name="name"/>.</summary>
    public Task AllowAliceAsync(ResourceType type, string name, ResourcePatternType pattern, params AclOperation[] operations) =>
        Admin.CreateAclsAsync([.. operations.Select(operation => new AclBinding
        {
            Pattern = new ResourcePattern { Type = type, Name = name, ResourcePatternType = pattern },
            Entry = new AccessControlEntry { Principal = "User:alice", Host = "*", Operation = operation, PermissionType = AclPermissionType.Allow },
        })]);
}
