using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Streams.Broker;
using Streams.Broker.Hosting;
using Streams.ServiceDefaults;

var listen = new Option<string>("--listen")
{
    Description = "host:port to listen on (port 0 picks a free port)",
    DefaultValueFactory = _ => "127.0.0.1:9092",
};
var dataDir = new Option<string>("--data-dir")
{
    Description = "Directory holding topics, logs and broker state",
    DefaultValueFactory = _ => Path.Combine(Environment.CurrentDirectory, "data", "broker"),
};
var advertised = new Option<string?>("--advertised-host") { Description = "Host name clients should use to reach this broker" };
var settings = new Option<string[]>("--set")
{
    Description = "Broker setting under its Kafka name, e.g. --set num.partitions=3 --set log.flush.interval.messages=1",
    AllowMultipleArgumentsPerToken = false,
};

var addScram = new Option<string[]>("--add-scram")
{
    Description = "Create or update a SCRAM user before serving, as kafka-storage format does: 'SCRAM-SHA-256=[name=admin,password=admin-secret]' (repeatable)",
    AllowMultipleArgumentsPerToken = false,
};

var root = new RootCommand("Streams embedded Kafka broker: a durable single-node broker that speaks the Kafka wire protocol.")
{
    listen, dataDir, advertised, settings, addScram,
};

root.SetAction(async (parse, cancellationToken) =>
{
    var (host, port) = ParseListen(parse.GetValue(listen)!);
    var options = new BrokerOptions { Host = host, Port = port, DataDirectory = parse.GetValue(dataDir)!, AdvertisedHost = parse.GetValue(advertised) };
    foreach (var setting in parse.GetValue(settings) ?? [])
    {
        var parts = setting.Split('=', 2);
        if (parts.Length != 2)
        {
            await Console.Error.WriteLineAsync($"--set expects name=value, got '{setting}'").ConfigureAwait(false);
            return 2;
        }

        options.Settings[parts[0].Trim()] = parts[1].Trim();
    }

    foreach (var user in parse.GetValue(addScram) ?? [])
    {
        options.ScramUsers.Add(user);
    }

    // The same Generic Host model as the registry and the worker: logging, OpenTelemetry and OTEL_* settings from
    // the environment, SIGTERM/Ctrl+C handled by the host's lifetime, a graceful stop that drains connections.
    var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
    builder.Configuration.AddEnvironmentVariables();
    builder.AddServiceDefaults("streams-broker");
    builder.Services.AddKafkaBroker(o =>
    {
        o.Host = options.Host;
        o.Port = options.Port;
        o.DataDirectory = options.DataDirectory;
        o.AdvertisedHost = options.AdvertisedHost;
        foreach (var (name, value) in options.Settings)
        {
            o.Settings[name] = value;
        }

        foreach (var user in options.ScramUsers)
        {
            o.ScramUsers.Add(user);
        }
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

static (string Host, int Port) ParseListen(string value)
{
    var colon = value.LastIndexOf(':');
    if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
    {
        throw new ArgumentException($"--listen expects host:port, got '{value}'");
    }

    return (value[..colon].Trim('[', ']'), port);
}
