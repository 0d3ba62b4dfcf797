using Streams.Cli.Tests.Support;

namespace Streams.Cli.Tests;

/// <summary>Connection settings from flags, environment and a librdkafka properties file; exit codes of the command line itself.</summary>
[Collection(ClusterCollection.Name)]
public sealed class GlobalOptionsTests(ClusterFixture cluster)
{
    private static async Task<CliRun> RunBareAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await StreamsCli.RunAsync(args, output, error);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Environment_variables_are_the_fallback_for_connection_and_output()
    {
        Environment.SetEnvironmentVariable("STREAMS_BOOTSTRAP", cluster.Bootstrap);
        Environment.SetEnvironmentVariable("STREAMS_REGISTRY", cluster.RegistryUrl);
        Environment.SetEnvironmentVariable("STREAMS_OUTPUT", "json");
        try
        {
            var topics = await RunBareAsync("topics", "list");
            var subjects = await RunBareAsync("schemas", "list");
            var table = await RunBareAsync("topics", "list", "--output", "table");

            Assert.True(topics.ExitCode == 0, topics.ToString());
            Assert.Equal(System.Text.Json.JsonValueKind.Array, topics.Json.ValueKind);
            Assert.True(subjects.ExitCode == 0, subjects.ToString());
            Assert.StartsWith("TOPIC", table.Output, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("STREAMS_BOOTSTRAP", null);
            Environment.SetEnvironmentVariable("STREAMS_REGISTRY", null);
            Environment.SetEnvironmentVariable("STREAMS_OUTPUT", null);
        }
    }

    [Fact]
    public async Task A_properties_file_configures_the_clients()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllLinesAsync(file, ["# a real cluster would add security.protocol, sasl.* here", $"bootstrap.servers={cluster.Bootstrap}", $"schema.registry.url={cluster.RegistryUrl}", "client.id=streams-cli-test"]);
        try
        {
            var topics = await RunBareAsync("--config", file, "topics", "list", "-o", "json");
            var subjects = await RunBareAsync("schemas", "list", "--config", file);

            Assert.True(topics.ExitCode == 0, topics.ToString());
            Assert.True(subjects.ExitCode == 0, subjects.ToString());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Basic_auth_settings_as_confluents_serdes_name_them_log_the_registry_client_in()
    {
        var options = new Streams.Registry.SchemaRegistryOptions { KafkaBootstrapServers = cluster.Bootstrap, Listen = "http://127.0.0.1:0", Topic = "_schemas-auth-" + Guid.NewGuid().ToString("N") };
        options.Users.Add(new Streams.Registry.Security.RegistryUser { Name = "ops", Password = "ops-secret", Role = "admin" });
        await using var registry = await Streams.Registry.SchemaRegistryHost.StartAsync(options);
        var file = Path.GetTempFileName();
        await File.WriteAllLinesAsync(file, [$"bootstrap.servers={cluster.Bootstrap}", $"schema.registry.url={registry.Url}", "basic.auth.credentials.source=USER_INFO", "basic.auth.user.info=ops:ops-secret"]);
        try
        {
            var withUser = await RunBareAsync("schemas", "list", "--config", file);
            var anonymous = await RunBareAsync("schemas", "list", "--registry", registry.Url, "--bootstrap", cluster.Bootstrap);
            var wrong = await RunBareAsync("schemas", "list", "--config", file, "-X", "basic.auth.user.info=ops:guess");

            Assert.True(withUser.ExitCode == 0, withUser.ToString());
            Assert.True(anonymous.ExitCode != 0 && anonymous.Error.Contains("401", StringComparison.Ordinal), anonymous.ToString());
            Assert.True(wrong.ExitCode != 0 && wrong.Error.Contains("401", StringComparison.Ordinal), wrong.ToString());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Kafka_settings_given_with_X_override_the_properties_file()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllLinesAsync(file, ["bootstrap.servers=127.0.0.1:1", "socket.timeout.ms=3000"]);
        try
        {
            var overridden = await RunBareAsync("--config", file, "-X", $"bootstrap.servers={cluster.Bootstrap}", "--kafka-set", "client.id=x-test", "topics", "list", "-o", "json");
            var unknown = await RunBareAsync("-X", "no.such.property=1", "--bootstrap", cluster.Bootstrap, "topics", "list");

            Assert.True(overridden.ExitCode == 0, overridden.ToString());
            Assert.Equal(System.Text.Json.JsonValueKind.Array, overridden.Json.ValueKind);
            Assert.True(unknown.ExitCode == 2, unknown.ToString());
            Assert.Contains("no.such.property", unknown.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("no-such-command")]
    [InlineData("groups")]
    [InlineData("topics", "list", "--output", "xml")]
    [InlineData("groups", "describe")]
    [InlineData("--config", "/nonexistent/streams.properties", "topics", "list")]
    [InlineData("-X", "security.protocol", "topics", "list")]
    public async Task Usage_errors_exit_with_2(params string[] args)
    {
        var run = await RunBareAsync(args);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("error:", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_exits_with_0_and_lists_the_commands()
    {
        var run = await RunBareAsync("--help");

        Assert.Equal(0, run.ExitCode);
        foreach (var command in new[] { "groups", "topics", "tail", "produce", "app", "schemas", "perf", "broker", "registry" })
        {
            Assert.Contains(command, run.Output, StringComparison.Ordinal);
        }
    }
}
