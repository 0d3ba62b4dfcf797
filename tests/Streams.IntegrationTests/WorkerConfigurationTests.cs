using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.Configuration;
using Streams.Worker;
using Streams.Worker.Infrastructure;
using Streams.Worker.Processing;

namespace Streams.IntegrationTests;

/// <summary>How a real cluster's connection and security settings reach every Kafka client of the worker.</summary>
public sealed class WorkerConfigurationTests
{
    private static readonly Dictionary<string, string?> SecuredCluster = new()
    {
        ["Kafka:BootstrapServers"] = "kafka-1.prod:9093,kafka-2.prod:9093",
        ["Kafka:SecurityProtocol"] = "SaslSsl",
        ["Kafka:SaslMechanism"] = "ScramSha512",
        ["Kafka:SaslUsername"] = "streams-worker",
        ["Kafka:SaslPassword"] = "s3cret",
        ["Kafka:SslCaLocation"] = "/etc/kafka/ca.pem",
        ["Kafka:SocketKeepaliveEnable"] = "true",
        ["SchemaRegistry:Url"] = "https://registry.prod:8081",
        ["SchemaRegistry:BasicAuthUserInfo"] = "streams-worker:s3cret",
        ["Streams:ApplicationId"] = "orders-topology",
    };

    [Fact]
    public void Connection_settings_are_read_from_the_Kafka_and_SchemaRegistry_sections_by_their_Confluent_names()
    {
        var options = WorkerApp.ReadOptions(new ConfigurationBuilder().AddInMemoryCollection(SecuredCluster).Build());

        Assert.Equal("kafka-1.prod:9093,kafka-2.prod:9093", options.Kafka.BootstrapServers);
        Assert.Equal("sasl_ssl", options.Kafka.Get("security.protocol"));
        Assert.Equal("SCRAM-SHA-512", options.Kafka.Get("sasl.mechanism"));
        Assert.Equal("streams-worker", options.Kafka.Get("sasl.username"));
        Assert.Equal("/etc/kafka/ca.pem", options.Kafka.Get("ssl.ca.location"));
        Assert.Equal("https://registry.prod:8081", options.SchemaRegistry.Url);
        Assert.Equal("streams-worker:s3cret", options.SchemaRegistry.BasicAuthUserInfo);
        Assert.Equal("orders-topology", options.ApplicationId);
    }

    [Fact]
    public void Environment_variables_name_the_sections_with_double_underscores_and_the_command_line_wins()
    {
        Environment.SetEnvironmentVariable("Kafka__SaslUsername", "from-environment");
        Environment.SetEnvironmentVariable("Kafka__BootstrapServers", "env-kafka:9092");
        try
        {
            var options = WorkerApp.ReadOptions(["--Kafka:BootstrapServers=cli-kafka:9092"]);

            Assert.Equal("from-environment", options.Kafka.SaslUsername);
            Assert.Equal("cli-kafka:9092", options.Kafka.BootstrapServers);
        }
        finally
        {
            Environment.SetEnvironmentVariable("Kafka__SaslUsername", null);
            Environment.SetEnvironmentVariable("Kafka__BootstrapServers", null);
        }
    }

    [Fact]
    public async Task Bad_settings_stop_the_worker_at_start_naming_every_setting_at_fault()
    {
        await using var app = WorkerApp.Build(
        [
            "--Streams:StreamThreads=0",
            "--Streams:Simulator:LoginFailureRate=1.5",
            "--Streams:HttpUrl=http://127.0.0.1:0",
            "--Streams:EmbeddedKafkaPort=99999",
            "--SchemaRegistry:Url=not a url",
            "--Kafka:BootstrapServers=127.0.0.1:9",
        ]);

        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(error.Failures, f => f.StartsWith("Streams:StreamThreads must be at least 1", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Streams:Simulator:LoginFailureRate must be between 0 and 1", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Streams:EmbeddedKafkaPort must be 0-65535", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("SchemaRegistry:Url must be one or more absolute URLs", StringComparison.Ordinal));
    }

    [Fact]
    public void No_bootstrap_servers_and_no_registry_url_mean_the_embedded_default()
    {
        var options = WorkerApp.ReadOptions(new ConfigurationBuilder().Build());

        Assert.Null(options.Kafka.BootstrapServers);
        Assert.Null(options.SchemaRegistry.Url);
    }

    [Fact]
    public void The_topology_passes_the_security_settings_to_every_client_streamiz_builds()
    {
        var options = WorkerApp.ReadOptions(new ConfigurationBuilder().AddInMemoryCollection(SecuredCluster).Build());
        var endpoints = new StreamsEndpoints(options.Kafka, options.SchemaRegistry, Embedded: false);

        var config = TopologyService.CreateConfig(options, endpoints);

        IEnumerable<KeyValuePair<string, string>>[] clients =
        [
            config.ToConsumerConfig("main"),
            config.ToProducerConfig("producer"),
            config.ToAdminConfig("admin"),
            config.ToRestoreConsumerConfig("restore"),
        ];
        foreach (var client in clients)
        {
            var settings = client.ToDictionary(p => p.Key, p => p.Value);
            Assert.Equal("kafka-1.prod:9093,kafka-2.prod:9093", settings["bootstrap.servers"]);
            Assert.Equal("sasl_ssl", settings["security.protocol"]);
            Assert.Equal("SCRAM-SHA-512", settings["sasl.mechanism"]);
            Assert.Equal("streams-worker", settings["sasl.username"]);
            Assert.Equal("s3cret", settings["sasl.password"]);
            Assert.Equal("/etc/kafka/ca.pem", settings["ssl.ca.location"]);
            Assert.Equal("True", settings["socket.keepalive.enable"], ignoreCase: true);
        }
    }

    [Fact]
    public void A_kafka_setting_streamiz_would_drop_stops_the_topology_with_its_name()
    {
        var options = new StreamsOptions { Kafka = new ClientConfig { BootstrapServers = "kafka:9092" } };
        options.Kafka.SslEngineLocation = "/opt/openssl/engine.so";

        var error = Assert.Throws<InvalidOperationException>(() => TopologyService.CreateConfig(options, new StreamsEndpoints(options.Kafka, options.SchemaRegistry, Embedded: false)));

        Assert.Contains("ssl.engine.location", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Exactly_once_is_a_setting_and_at_least_once_the_default()
    {
        var endpoints = new StreamsEndpoints(new ClientConfig { BootstrapServers = "kafka:9092" }, new Confluent.SchemaRegistry.SchemaRegistryConfig(), Embedded: false);
        var defaults = WorkerApp.ReadOptions(new ConfigurationBuilder().Build());
        var exactlyOnce = WorkerApp.ReadOptions(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Streams:ProcessingGuarantee"] = "ExactlyOnce" })
            .Build());

        Assert.Equal(Streamiz.Kafka.Net.ProcessingGuarantee.AT_LEAST_ONCE, TopologyService.CreateConfig(defaults, endpoints).Guarantee);
        Assert.Equal(Streamiz.Kafka.Net.ProcessingGuarantee.EXACTLY_ONCE, TopologyService.CreateConfig(exactlyOnce, endpoints).Guarantee);
    }
}
