using Microsoft.Extensions.Logging;
using Streams.Worker;
using Streams.Worker.Infrastructure;

// The Streams worker. With no Kafka:BootstrapServers / SchemaRegistry:Url it runs the embedded broker and
// registry in this process (the zero-setup default); they start before the host and stop after it.
var options = WorkerApp.ReadOptions(args);
using var infrastructureLogging = LoggerFactory.Create(WorkerApp.ConfigureLogging);
await using var infrastructure = await EmbeddedInfrastructure.StartAsync(options, infrastructureLogging).ConfigureAwait(false);
await using var app = WorkerApp.Build(args, infrastructure, options);
await app.RunAsync().ConfigureAwait(false);
