using System.Collections.Concurrent;
using Confluent.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Streams.Consumers;
using Streams.Contracts.Logins;
using Streams.Contracts.Topics;
using Streams.Messaging.Publishing;
using Streams.Worker;
using Streams.Worker.Infrastructure;
using Streams.Worker.Security;
using static Streams.IntegrationTests.TestEvents;

namespace Streams.IntegrationTests;

/// <summary>
/// The quick start secured (<c>Streams:Security:Enabled</c>): the whole pipeline on a SASL_SSL embedded broker with
/// ACLs from the topic catalog, each service authenticating as its own principal, and nothing else getting in.
/// </summary>
public sealed class SecuredWorkerTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "streams-integration-tests", "secured-" + Guid.NewGuid().ToString("N"));
    private readonly CapturedLogs _logs = new();
    private WebApplication _app = null!;

    public async Task InitializeAsync()
    {
        _app = WorkerApp.Build([], options =>
        {
            options.DataDirectory = _dataDirectory;
            options.EmbeddedKafkaPort = 0;
            options.EmbeddedRegistryPort = 0;
            options.HttpUrl = "http://127.0.0.1:0";
            options.Simulator = new SimulatorOptions { Enabled = false };
            options.LoginMonitoring = new() { FailureThreshold = 3, Window = TimeSpan.FromMinutes(5) };
            options.Security.Enabled = true;
        });
        _app.Services.GetRequiredService<ILoggerFactory>().AddProvider(_logs);
        await _app.StartAsync();
    }

    [Fact]
    public async Task The_worker_runs_the_whole_pipeline_against_a_SASL_SSL_and_ACL_embedded_broker_with_one_principal_per_service()
    {
        var endpoints = _app.Services.GetRequiredService<StreamsEndpoints>();
        var security = _app.Services.GetRequiredService<LocalSecurity>();
        var workerUrl = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        using var http = new HttpClient { BaseAddress = workerUrl, Timeout = Timeout.InfiniteTimeSpan };
        using var stream = await http.GetAsync("/notifications", HttpCompletionOption.ResponseHeadersRead);
        using var sse = new StreamReader(await stream.Content.ReadAsStreamAsync());
        Assert.StartsWith("retry: ", await sse.ReadLineAsync(), StringComparison.Ordinal);

        // Checkouts become orders, failed logins an alert: published by the worker's own publisher (its service's user).
        var publisher = _app.Services.GetRequiredService<EventPublisher>();
        var cart = NewCart();
        await publisher.PublishAsync(Added(cart, "book", 2, 12.99m));
        await publisher.PublishAsync(CheckedOut(cart));
        var employee = "emp-" + Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 3; i++)
        {
            await publisher.PublishAsync(new EmployeeLoggedIn
            {
                eventId = Guid.NewGuid().ToString(), occurredAt = DateTime.UtcNow, employeeId = employee, application = "payroll",
                sourceAddress = "10.0.0.9", outcome = LoginOutcome.Failed, failureReason = "wrong password",
            });
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (!(seen.Contains("order") && seen.Contains("alert")))
        {
            var line = await sse.ReadLineAsync(timeout.Token);
            if (line is "event: order" or "event: alert" or "event: security-alert")
            {
                var data = await sse.ReadLineAsync(timeout.Token);
                if (data!.Contains(cart, StringComparison.Ordinal))
                {
                    seen.Add("order");
                }
                else if (data.Contains(employee, StringComparison.Ordinal))
                {
                    seen.Add("alert");
                }
            }
        }

        var audit = _app.Services.GetRequiredService<AuditProjection>();
        await Eventually.TrueAsync(() => audit.Snapshot().Count(r => r.Contains(cart, StringComparison.Ordinal)) >= 5, "the cart's events, states and order in the audit trail");
        await Eventually.TrueAsync(() => audit.Snapshot().Count(r => r.Contains(employee, StringComparison.Ordinal)) >= 4, "the logins and the alert in the audit trail");

        // Each service authenticated as its own user; the broker says so.
        string[] users = ["admin", "streams-publisher", "streams-topology", "streams-audit", "streams-notifier", "streams-registry"];
        foreach (var user in users)
        {
            Assert.Contains(_logs.Lines, l => l.StartsWith($"Streams.Broker.Audit: Authentication succeeded: principal User:{user} mechanism SCRAM-SHA-256", StringComparison.Ordinal));
        }

        // The catalog's ACLs are all the services need: nothing was refused on the way.
        var denied = _logs.Lines.Where(l => l.Contains(" is Denied operation = ", StringComparison.Ordinal)).ToList();
        Assert.True(denied.Count == 0, string.Join("\n", denied));
        Assert.Equal("streams-audit", endpoints.ClientSettings("audit-projection")["sasl.username"]);
        Assert.Equal("streams-notifier", endpoints.ClientSettings("notifications-replay")["sasl.username"]);
        Assert.Equal("admin", endpoints.ClientSettings("provisioning")["sasl.username"]);
        Assert.DoesNotContain(_logs.Lines, l => security.Passwords.Values.Any(p => l.Contains(p, StringComparison.Ordinal)));

        // A service principal gets only what the catalog grants: the audit projection cannot write orders, and nothing is appended.
        var before = OrdersEnd(endpoints, security);
        var asAudit = security.ClientSettings("streams-audit");
        asAudit["bootstrap.servers"] = endpoints.BootstrapServers;
        asAudit["message.timeout.ms"] = "15000";
        using (var producer = new ProducerBuilder<string, string>(asAudit).Build())
        {
            var refused = await Assert.ThrowsAsync<ProduceException<string, string>>(() => producer.ProduceAsync(TopicCatalog.Orders.Name, new Message<string, string> { Key = "forged", Value = "forged" }));
            Assert.Equal(ErrorCode.TopicAuthorizationFailed, refused.Error.Code);
        }

        Assert.Equal(before, OrdersEnd(endpoints, security));
        Assert.Contains(_logs.Lines, l => l.Contains("Principal = User:streams-audit is Denied operation = Write", StringComparison.Ordinal) && l.Contains("Topic:LITERAL:orders", StringComparison.Ordinal));

        // The registry asks for basic auth: anonymous requests are refused, the reader may only read, and the
        // worker's own client (the serdes above, provisioning) logged in as the developer user.
        var registryUrl = new Uri(endpoints.SchemaRegistryUrl);
        using (var anonymous = new HttpClient { BaseAddress = registryUrl })
        {
            var refused = await anonymous.GetAsync("/subjects");
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Contains("Basic", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        using (var reader = RegistryClient(registryUrl, security.RegistryUserInfo(LocalSecurity.RegistryReaderUser)))
        {
            var subjects = await reader.GetStringAsync("/subjects");
            Assert.Contains(TopicCatalog.Orders.Name + "-value", subjects, StringComparison.Ordinal);
            var write = await reader.PutAsync("/config", new StringContent("{\"compatibility\":\"NONE\"}", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, write.StatusCode);
        }

        Assert.Equal($"{LocalSecurity.RegistryWorkerUser}:{security.RegistryPasswords[LocalSecurity.RegistryWorkerUser]}", endpoints.SchemaRegistry.BasicAuthUserInfo);
        Assert.DoesNotContain(_logs.Lines, l => l.StartsWith("Streams.Registry.Audit", StringComparison.Ordinal) && l.Contains("user " + LocalSecurity.RegistryWorkerUser, StringComparison.Ordinal));
        Assert.Contains(_logs.Lines, l => l.StartsWith("Streams.Registry.Audit: Registry authorization denied: user viewer (role read-only) PUT /config", StringComparison.Ordinal));
        Assert.DoesNotContain(_logs.Lines, l => security.RegistryPasswords.Values.Any(p => l.Contains(p, StringComparison.Ordinal)));

        // Nothing gets in without the secured listener's TLS and a valid user.
        AssertCannotConnect(new Dictionary<string, string> { ["bootstrap.servers"] = endpoints.BootstrapServers });
        var wrongPassword = security.ClientSettings("admin");
        wrongPassword["bootstrap.servers"] = endpoints.BootstrapServers;
        wrongPassword["sasl.password"] = "not-the-password";
        AssertCannotConnect(wrongPassword);
        Assert.Contains(_logs.Lines, l => l.StartsWith("Streams.Broker.Audit: Authentication failed: user admin", StringComparison.Ordinal));
    }

    [Fact]
    public void The_passwords_key_and_super_user_settings_are_owner_only_files_in_the_data_directory()
    {
        var security = _app.Services.GetRequiredService<LocalSecurity>();
        Assert.Equal(Path.Combine(Path.GetFullPath(_dataDirectory), "security"), security.Directory);
        if (!OperatingSystem.IsWindows())
        {
            foreach (var secret in new[] { security.CredentialsPath, security.ServerCertificatePath, security.AdminPropertiesPath, security.RegistryCredentialsPath, security.CliPropertiesPath })
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secret));
            }
        }

        Assert.Equal(LocalSecurity.Users.Order(), security.Passwords.Keys.Order());
        Assert.Contains("sasl.username=admin", File.ReadAllText(security.AdminPropertiesPath), StringComparison.Ordinal);
        Assert.Equal(LocalSecurity.RegistryUsers.Keys.Order(), security.RegistryPasswords.Keys.Order());
        Assert.Contains("basic.auth.user.info=" + security.RegistryUserInfo("admin"), File.ReadAllText(security.CliPropertiesPath), StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", File.ReadAllText(security.CaPath), StringComparison.Ordinal);

        // Made once, reused: a second look at the same directory changes nothing.
        var again = LocalSecurity.Ensure(_dataDirectory);
        Assert.False(again.CertificateMade);
        Assert.Equal(security.Passwords, again.Passwords);
        Assert.Equal(security.RegistryPasswords, again.RegistryPasswords);
    }

    private static HttpClient RegistryClient(Uri url, string userInfo)
    {
        var client = new HttpClient { BaseAddress = url };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(userInfo)));
        return client;
    }

    private static long OrdersEnd(StreamsEndpoints endpoints, LocalSecurity security)
    {
        var settings = security.ClientSettings("admin");
        settings["bootstrap.servers"] = endpoints.BootstrapServers;
        settings["group.id"] = "secured-test-" + Guid.NewGuid().ToString("N");
        using var consumer = new ConsumerBuilder<byte[], byte[]>(settings).Build();
        return Enumerable.Range(0, TopicCatalog.Orders.Partitions)
            .Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition(TopicCatalog.Orders.Name, p), TimeSpan.FromSeconds(10)).High.Value);
    }

    private static void AssertCannotConnect(Dictionary<string, string> settings)
    {
        settings["socket.timeout.ms"] = "5000";
        using var admin = new AdminClientBuilder(settings).Build();
        Assert.ThrowsAny<KafkaException>(() => admin.GetMetadata(TimeSpan.FromSeconds(5)));
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Every log line of the worker's host (broker audit included) as <c>{category}: {message}</c>.</summary>
    private sealed class CapturedLogs : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IReadOnlyList<string> Lines => [.. _lines];

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{category}: {formatter(state, exception)}");
        }
    }
}
