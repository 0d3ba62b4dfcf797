using System.CommandLine;
using Microsoft.Extensions.Options;
using Streams.Registry.Hosting;
using Streams.ServiceDefaults;

var kafka = new Option<string>("--kafka")
{
    Description = "bootstrap.servers of the Kafka holding the _schemas topic",
    DefaultValueFactory = _ => "127.0.0.1:9092",
};
var listen = new Option<string>("--listen")
{
    Description = "HTTP address to serve, e.g. http://127.0.0.1:8081 (port 0 picks a free port)",
    DefaultValueFactory = _ => "http://127.0.0.1:8081",
};
var topic = new Option<string>("--topic") { Description = "Topic holding schemas and configs", DefaultValueFactory = _ => "_schemas" };
var follower = new Option<bool>("--read-only-follower") { Description = "Serve reads and follow the topic; refuse writes" };
var maxBody = new Option<long>("--max-request-body-bytes")
{
    Description = "Largest request body accepted; larger ones are answered 413",
    DefaultValueFactory = _ => Streams.Registry.SchemaRegistryOptions.DefaultMaxRequestBodyBytes,
};
var user = new Option<string?>("--basic-auth-user") { Description = "Require HTTP basic authentication with this user (password from SCHEMA_REGISTRY_PASSWORD)" };

var root = new RootCommand("Streams schema registry: Confluent Schema Registry's REST API for Avro, stored in a Kafka topic.")
{
    kafka, listen, topic, follower, maxBody, user,
};

root.SetAction(async (parse, cancellationToken) =>
{
    // The same Generic Host model as the broker and the worker: logging, OpenTelemetry and OTEL_* settings from the
    // environment, SIGTERM/Ctrl+C handled by the host's lifetime, options validated before anything connects.
    var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
    builder.Configuration.AddEnvironmentVariables();
    builder.AddServiceDefaults("streams-registry");
    builder.Services.AddSchemaRegistry(o =>
    {
        o.KafkaBootstrapServers = parse.GetValue(kafka)!;
        o.Listen = parse.GetValue(listen)!;
        o.Topic = parse.GetValue(topic)!;
        o.ReadOnlyFollower = parse.GetValue(follower);
        o.MaxRequestBodyBytes = parse.GetValue(maxBody);
        o.BasicAuthUser = parse.GetValue(user);
        // Never on the command line, where other users of the machine can read it.
        o.BasicAuthPassword = builder.Configuration["SCHEMA_REGISTRY_PASSWORD"];
    });
    using var app = builder.Build();
    try
    {
        await app.RunAsync(cancellationToken).ConfigureAwait(false);
    }
    catch (OptionsValidationException ex)
    {
        await Console.Error.WriteLineAsync(string.Join(Environment.NewLine, ex.Failures)).ConfigureAwait(false);
        return 2;
    }

    return 0;
});

return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
