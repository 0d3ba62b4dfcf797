using System.CommandLine;
using System.Runtime.InteropServices;
using Streams.Registry;

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
var user = new Option<string?>("--basic-auth-user") { Description = "Require HTTP basic authentication with this user (password from SCHEMA_REGISTRY_PASSWORD)" };

var root = new RootCommand("Streams schema registry: Confluent Schema Registry's REST API for Avro, stored in a Kafka topic.")
{
    kafka, listen, topic, follower, user,
};

root.SetAction(async (parse, cancellationToken) =>
{
    var options = new SchemaRegistryOptions
    {
        KafkaBootstrapServers = parse.GetValue(kafka)!,
        Listen = parse.GetValue(listen)!,
        Topic = parse.GetValue(topic)!,
        ReadOnlyFollower = parse.GetValue(follower),
        BasicAuthUser = parse.GetValue(user),
        // Never on the command line, where other users of the machine can read it.
        BasicAuthPassword = Environment.GetEnvironmentVariable("SCHEMA_REGISTRY_PASSWORD"),
    };
    if (options.BasicAuthUser is not null && string.IsNullOrEmpty(options.BasicAuthPassword))
    {
        await Console.Error.WriteLineAsync("--basic-auth-user needs the password in SCHEMA_REGISTRY_PASSWORD").ConfigureAwait(false);
        return 2;
    }

    using var loggerFactory = LoggerFactory.Create(b => b
        .AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        })
        .SetMinimumLevel(LogLevel.Information)
        // One line per HTTP request drowns the registry's own messages; failures still show.
        .AddFilter("Microsoft.AspNetCore", LogLevel.Warning));

    using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
    using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });

    await using var registry = await SchemaRegistryHost.StartAsync(options, loggerFactory, stop.Token).ConfigureAwait(false);
    try
    {
        await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
    }
    catch (OperationCanceledException)
    {
    }

    return 0;
});

return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
