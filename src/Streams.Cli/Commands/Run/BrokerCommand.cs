using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Streams.Broker.Hosting;
using Streams.Cli.Infrastructure;

namespace Streams.Cli.Commands.Run;

/// <summary><c>streams broker</c>: runs the embedded Kafka broker alone until Ctrl+C (as <c>src/Streams.Broker</c> does).</summary>
internal static class BrokerCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var listen = new Option<string>("--listen") { Description = "host:port to listen on (port 0 picks a free port)", DefaultValueFactory = _ => "127.0.0.1:9092" };
        var dataDir = new Option<string>("--data-dir") { Description = "Directory for topics and broker state", DefaultValueFactory = _ => Path.Combine("data", "broker") };
        var settings = new Option<string[]>("--set") { Description = "Broker setting under its Kafka name, e.g. --set num.partitions=3; repeatable" };
        var command = new Command("broker", "Run the embedded Kafka broker until Ctrl+C") { listen, dataDir, settings };
        cli.SetAction(command, async (parse, session, cancellationToken) =>
        {
            var value = parse.GetValue(listen)!;
            var colon = value.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
            {
                throw CliException.Usage($"--listen expects host:port, got '{value}'");
            }

            var host = value[..colon].Trim('[', ']');
            var dataDirectory = Path.GetFullPath(parse.GetValue(dataDir)!);
            var pairs = new List<(string Name, string Value)>();
            foreach (var setting in parse.GetValue(settings) ?? [])
            {
                var parts = setting.Split('=', 2, StringSplitOptions.TrimEntries);
                pairs.Add(parts.Length == 2 && parts[0].Length > 0 ? (parts[0], parts[1]) : throw CliException.Usage($"--set expects name=value, got '{setting}'"));
            }

            return await ServerHost.RunAsync(
                session,
                services => services.AddKafkaBroker(o =>
                {
                    o.Host = host;
                    o.Port = port;
                    o.DataDirectory = dataDirectory;
                    foreach (var (name, settingValue) in pairs)
                    {
                        o.Settings[name] = settingValue;
                    }
                }),
                sp =>
                {
                    var broker = sp.GetRequiredService<KafkaBrokerService>();
                    return session.WriteAsync(new { bootstrap = broker.BootstrapServers, dataDirectory },
                        w => w.WriteLineAsync($"Kafka broker listening on {broker.BootstrapServers} (data in {dataDirectory}); Ctrl+C stops it."));
                },
                cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}
