using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Streams.Messaging.Publishing;
using Streams.Worker;
using Streams.Worker.Infrastructure;

namespace Streams.IntegrationTests;

/// <summary>
/// The worker (topologies, consumer groups, endpoints) in this process on the shared <see cref="KafkaFixture"/>
/// (external cluster, Testcontainers or the embedded broker and registry), with the simulator off so the tests
/// decide every event, and its own data directory. Restartable.
/// </summary>
public sealed class WorkerFixture(KafkaFixture kafka) : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "streams-integration-tests", Guid.NewGuid().ToString("N"));
    private ILoggerFactory _loggerFactory = null!;

    /// <summary>The endpoints of the shared cluster (this fixture starts no broker or registry of its own).</summary>
    public EmbeddedInfrastructure Infrastructure { get; private set; } = null!;

    public KafkaFixture Kafka => kafka;

    public WebApplication App { get; private set; } = null!;

    public StreamsOptions Options { get; private set; } = null!;

    public ISchemaRegistryClient Registry { get; private set; } = null!;

    public EventPublisher Publisher { get; private set; } = null!;

    public string BootstrapServers => Infrastructure.Endpoints.BootstrapServers;

    public Uri WorkerUrl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Options = new StreamsOptions
        {
            Kafka = new ClientConfig { BootstrapServers = kafka.BootstrapServers },
            SchemaRegistry = new SchemaRegistryConfig { Url = kafka.SchemaRegistryUrl },
            DataDirectory = _dataDirectory,
            EmbeddedKafkaPort = 0,
            EmbeddedRegistryPort = 0,
            HttpUrl = "http://127.0.0.1:0",
            StreamThreads = 2, // two members of the application share the partitions, as on a bigger machine
            Simulator = new SimulatorOptions { Enabled = false },
            LoginMonitoring = new() { FailureThreshold = 3, Window = TimeSpan.FromMinutes(5) },
            Notifications = new() { AllowedOrigins = ["*"] }, // the browser test's page comes from another origin
        };
        _loggerFactory = LoggerFactory.Create(WorkerApp.ConfigureLogging);
        Infrastructure = await EmbeddedInfrastructure.StartAsync(Options, _loggerFactory);
        Registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = Infrastructure.Endpoints.SchemaRegistryUrl });
        Publisher = new EventPublisher(new EventPublisherOptions { BootstrapServers = BootstrapServers, SchemaRegistryUrl = Infrastructure.Endpoints.SchemaRegistryUrl, Source = "/integration-tests" }, Registry);
        await StartWorkerAsync();
    }

    public async Task StartWorkerAsync()
    {
        App = WorkerApp.Build([], options =>
        {
            options.Kafka = Options.Kafka;
            options.SchemaRegistry = Options.SchemaRegistry;
            options.DataDirectory = Options.DataDirectory;
            options.HttpUrl = Options.HttpUrl;
            options.StreamThreads = Options.StreamThreads;
            options.Simulator = Options.Simulator;
            options.LoginMonitoring = Options.LoginMonitoring;
            options.Notifications = Options.Notifications;
        });
        await App.StartAsync();
        var addresses = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        WorkerUrl = new Uri(addresses.Addresses.First());
    }

    public async Task StopWorkerAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }

    public async Task DisposeAsync()
    {
        await StopWorkerAsync();
        Publisher.Dispose();
        Registry.Dispose();
        await Infrastructure.DisposeAsync();
        _loggerFactory.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
