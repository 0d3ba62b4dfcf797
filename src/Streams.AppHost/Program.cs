using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Streams.AppHost;

// The whole system as separate processes under the Aspire dashboard: the embedded broker, the registry and the worker,
// each its own executable (the ones users run alone), their traces, metrics and logs in one place. Settings (section
// AppHost, environment AppHost__*): ports, data directory, and Kafka:BootstrapServers / SchemaRegistry:Url to run the
// worker against a real cluster instead of the embedded broker and registry.
var builder = DistributedApplication.CreateBuilder(args);
var settings = AppHostSettings.Read(builder.Configuration, builder.AppHostDirectory);

IResourceBuilder<ProjectResource>? broker = null;
var bootstrapServers = settings.KafkaBootstrapServers;
if (bootstrapServers is null)
{
    bootstrapServers = $"127.0.0.1:{settings.BrokerPort}";
    var brokerCheck = "streams-broker-kafka";
    builder.Services.AddHealthChecks().Add(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckRegistration(
        brokerCheck, _ => new KafkaApiVersionsHealthCheck("127.0.0.1", settings.BrokerPort), failureStatus: null, tags: null));
    broker = builder.AddProject<Projects.Streams_Broker>("streams-broker")
        .WithArgs("--listen", bootstrapServers, "--data-dir", Path.Combine(settings.DataDirectory, "broker"))
        // The broker's port is fixed (clients are given it as bootstrap.servers and it advertises it), not proxied.
        .WithEndpoint(port: settings.BrokerPort, targetPort: settings.BrokerPort, scheme: "tcp", name: "kafka", isProxied: false)
        .WithHealthCheck(brokerCheck);
}

IResourceBuilder<ProjectResource>? registry = null;
var registryUrl = settings.SchemaRegistryUrl;
if (registryUrl is null)
{
    registryUrl = $"http://127.0.0.1:{settings.RegistryPort}";
    registry = builder.AddProject<Projects.Streams_Registry>("streams-registry")
        .WithArgs("--listen", registryUrl, "--kafka", bootstrapServers)
        .WithHttpEndpoint(port: settings.RegistryPort, targetPort: settings.RegistryPort, name: "http", isProxied: false)
        .WithHttpHealthCheck("/health");
    if (broker is not null)
    {
        registry.WaitFor(broker);
    }
}

var workerUrl = $"http://127.0.0.1:{settings.WorkerPort}";
var worker = builder.AddProject<Projects.Streams_Worker>("streams-worker");
foreach (var (name, value) in settings.WorkerSettings)
{
    worker.WithEnvironment(name, value);
}

// After the forwarded settings, so that the addresses the app host chose win.
worker.WithEnvironment("Kafka__BootstrapServers", bootstrapServers)
    .WithEnvironment("SchemaRegistry__Url", registryUrl)
    .WithEnvironment("Streams__HttpUrl", workerUrl)
    .WithEnvironment("Streams__DataDirectory", Path.Combine(settings.DataDirectory, "worker"))
    .WithHttpEndpoint(port: settings.WorkerPort, targetPort: settings.WorkerPort, name: "http", isProxied: false)
    .WithHttpHealthCheck("/health/ready");

if (broker is not null)
{
    worker.WaitFor(broker);
}

if (registry is not null)
{
    worker.WaitFor(registry);
}

await builder.Build().RunAsync().ConfigureAwait(false);
