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
    // The worker serves the Kafka console at its root: the dashboard lists it under the worker as "Console".
    .WithUrlForEndpoint("http", url => url.DisplayText = "Console")
    .WithHttpHealthCheck("/health/ready");

// A record's trace link in the console opens that trace in this dashboard, unless the settings chose another backend.
// The dashboard's address is asked of the running model (the testing builder moves it), the settings' one otherwise.
if (settings.ConsoleTraceUrl is not null)
{
    worker.WithEnvironment(context =>
    {
        var dashboard = context.ExecutionContext.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .OfType<IResourceWithEndpoints>().FirstOrDefault(r => r.Name == "aspire-dashboard")?
            .GetEndpoints().FirstOrDefault(e => e.EndpointName == "http" && e.IsAllocated);
        context.EnvironmentVariables["Streams__Console__TraceUrl"] = dashboard is null
            ? settings.ConsoleTraceUrl
            : dashboard.Url.TrimEnd('/') + AppHostSettings.DashboardTracePath;
    });
}

if (broker is not null)
{
    worker.WaitFor(broker);
}

if (registry is not null)
{
    worker.WaitFor(registry);
}

await builder.Build().RunAsync().ConfigureAwait(false);
