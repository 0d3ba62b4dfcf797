using Microsoft.Extensions.Options;
using Streams.Worker;

// The Streams worker. With no Kafka:BootstrapServers / SchemaRegistry:Url it runs the embedded broker and registry
// as services of the same host (the zero-setup default): they start before the worker's services and stop after them.
await using var app = WorkerApp.Build(args);
try
{
    await app.RunAsync().ConfigureAwait(false);
}
catch (OptionsValidationException ex)
{
    await Console.Error.WriteLineAsync($"Invalid settings:{Environment.NewLine}  {string.Join($"{Environment.NewLine}  ", ex.Failures)}").ConfigureAwait(false);
    return 2;
}

return Environment.ExitCode;
