using System.Net;
using System.Net.Sockets;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Streams.Broker.Hosting;

namespace Streams.Broker.Tests.Hosting;

/// <summary>The broker as a service of a Generic Host: validated settings, start and graceful stop with the host, one listener per port.</summary>
public sealed class BrokerHostingTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "streams-hosting-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private IHost BuildHost(Action<BrokerOptions> configure)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddKafkaBroker(o =>
        {
            o.Port = 0;
            o.DataDirectory = _dataDirectory;
            configure(o);
        });
        return builder.Build();
    }

    [Theory]
    [InlineData("num.partitions", "abc", "Invalid value abc for configuration num.partitions: Not a number of type INT")]
    [InlineData("num.partitions", "0", "Invalid value 0 for configuration num.partitions: Value must be at least 1")]
    [InlineData("auto.create.topics.enable", "yes", "Invalid value yes for configuration auto.create.topics.enable: Expected value to be either true or false")]
    [InlineData("log.retention.ms", "-5", "Invalid value -5 for configuration log.retention.ms: Value must be at least -1")]
    [InlineData("group.min.session.timeout.ms", "60000", "group.min.session.timeout.ms: 60000 is above group.max.session.timeout.ms (30000)")]
    public async Task A_bad_setting_stops_the_host_before_anything_opens_naming_the_setting(string name, string value, string expected)
    {
        using var host = BuildHost(o =>
        {
            o.Settings[name] = value;
            if (name == "group.min.session.timeout.ms")
            {
                o.Settings["group.max.session.timeout.ms"] = "30000";
            }
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, string.Join("\n", error.Failures), StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dataDirectory), "nothing is created before the settings are known to be good");
    }

    [Fact]
    public async Task Options_out_of_range_are_refused_with_their_names()
    {
        using var host = BuildHost(o =>
        {
            o.Port = 70000;
            o.Host = "not-an-address";
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(error.Failures, f => f.Contains("Port must be 0-65535, got 70000", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Host must be an IP address or localhost, got 'not-an-address'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_broker_serves_clients_while_the_host_runs_and_closes_its_log_when_the_host_stops()
    {
        using var host = BuildHost(_ => { });
        await host.StartAsync();
        var bootstrap = host.Services.GetRequiredService<KafkaBrokerService>().BootstrapServers;

        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = bootstrap }).Build())
        {
            var delivered = await producer.ProduceAsync("hosted", new Message<Null, string> { Value = "one" });
            Assert.Equal(0, delivered.Offset.Value);
        }

        await host.StopAsync();

        // A second host on the same data directory continues the log: the first one closed it cleanly.
        using var again = BuildHost(_ => { });
        await again.StartAsync();
        using var producer2 = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = again.Services.GetRequiredService<KafkaBrokerService>().BootstrapServers }).Build();
        Assert.Equal(1, (await producer2.ProduceAsync("hosted", new Message<Null, string> { Value = "two" })).Offset.Value);
        await again.StopAsync();
    }

    [Fact]
    public async Task A_second_broker_on_a_port_in_use_is_refused_instead_of_sharing_it()
    {
        using var first = BuildHost(_ => { });
        await first.StartAsync();
        var port = first.Services.GetRequiredService<KafkaBrokerService>().Broker.Port;

        var secondDirectory = _dataDirectory + "-second";
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddKafkaBroker(o =>
        {
            o.Port = port;
            o.DataDirectory = secondDirectory;
        });
        using var second = builder.Build();

        var error = await Assert.ThrowsAsync<IOException>(() => second.StartAsync());
        Assert.Contains($"cannot bind 127.0.0.1:{port}", error.Message, StringComparison.Ordinal);

        // The first broker still owns every connection to the port.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        await first.StopAsync();
        Directory.Delete(secondDirectory, recursive: true);
    }
}
