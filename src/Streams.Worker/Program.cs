using Confluent.SchemaRegistry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Streams.Messaging.Publishing;
using Streams.Worker;
using Streams.Worker.Consumers;
using Streams.Worker.Infrastructure;
using Streams.Worker.Observability;
using Streams.Worker.Processing;
using Streams.Worker.Simulation;

// The Streams worker: topologies, independent consumer groups and (by default) the traffic simulator.
// With no Streams:BootstrapServers / Streams:SchemaRegistryUrl it runs the embedded broker and registry itself.
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "HH:mm:ss ";
});
builder.Logging.AddFilter("Streamiz", LogLevel.Warning);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
var options = builder.Configuration.GetSection("Streams").Get<StreamsOptions>() ?? new StreamsOptions();

using var bootLogging = LoggerFactory.Create(b => b
    .AddSimpleConsole(o =>
    {
        o.SingleLine = true;
        o.TimestampFormat = "HH:mm:ss ";
    })
    .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
    .AddFilter("Microsoft.Hosting", LogLevel.Warning));
await using var infrastructure = await EmbeddedInfrastructure.StartAsync(options, bootLogging).ConfigureAwait(false);

builder.Services.AddSingleton(options);
builder.Services.AddSingleton(infrastructure.Endpoints);
builder.Services.AddSingleton<ISchemaRegistryClient>(new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = infrastructure.Endpoints.SchemaRegistryUrl }));
builder.Services.AddSingleton(sp => new EventPublisher(
    new EventPublisherOptions { BootstrapServers = infrastructure.Endpoints.BootstrapServers, SchemaRegistryUrl = infrastructure.Endpoints.SchemaRegistryUrl },
    sp.GetRequiredService<ISchemaRegistryClient>()));
builder.Services.AddSingleton(new AuditProjection(Path.Combine(options.DataDirectory, "audit.db")));
builder.Services.AddSingleton<Notifier>();
builder.Services.AddSingleton<WorkerCounters>();

// Started in this order: provisioning completes before anything reads or writes.
builder.Services.AddHostedService<Provisioning>();
builder.Services.AddHostedService<TopologyService>();
builder.Services.AddHostedService<ConsumerGroupsService>();
builder.Services.AddHostedService<TrafficSimulator>();
builder.Services.AddHostedService<StatusReporter>();
builder.Services.AddStreamsTelemetry("streams-worker");
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));

using var host = builder.Build();
await host.RunAsync().ConfigureAwait(false);
