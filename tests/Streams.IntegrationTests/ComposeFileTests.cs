using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Streams.Worker;
using YamlDotNet.RepresentationModel;

namespace Streams.IntegrationTests;

/// <summary>
/// The real-infrastructure files (docker-compose.kafka.yml, ops/otel-collector.yaml) checked without a Docker engine:
/// docker compose's own validation when the compose CLI exists, and the wiring between the files and the worker.
/// </summary>
public sealed partial class ComposeFileTests
{
    private static readonly string Root = FindRoot();

    [SkippableFact]
    public async Task Docker_compose_accepts_the_file_with_every_profile()
    {
        var compose = FindCompose();
        Skip.If(compose is null, "neither `docker compose` nor `docker-compose` is installed (.ci/run installs docker-compose)");

        var (exitCode, output) = await RunAsync(compose.Value.File, [.. compose.Value.Prefix, "-f", "docker-compose.kafka.yml", "--profile", "three-brokers", "--profile", "app", "--profile", "secure", "config", "-q"]);

        Assert.True(exitCode == 0, $"{compose.Value.File} config failed ({exitCode}): {output}");
    }

    [Fact]
    public void The_worker_service_configures_the_worker_by_the_names_it_reads()
    {
        var services = (YamlMappingNode)Load("docker-compose.kafka.yml")["services"];
        var environment = (YamlMappingNode)((YamlMappingNode)services["worker"])["environment"];

        // What the environment-variable provider does: "__" separates sections; ${VAR:-default} as compose resolves it unset.
        var settings = environment.Children.ToDictionary(
            e => ((YamlScalarNode)e.Key).Value!.Replace("__", ":", StringComparison.Ordinal),
            e => (string?)ComposeDefault().Replace(((YamlScalarNode)e.Value).Value!, m => m.Groups["default"].Value));
        var options = WorkerApp.ReadOptions(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());

        Assert.Equal("kafka:9092", options.Kafka.BootstrapServers);
        Assert.Equal("http://schema-registry:8081", options.SchemaRegistry.Url);
        Assert.Equal("/data", options.DataDirectory);
        Assert.Equal("http://0.0.0.0:8080", options.HttpUrl);
        Assert.Equal("http://otel-collector:4317", settings["OTEL_EXPORTER_OTLP_ENDPOINT"]);

        var registry = (YamlMappingNode)((YamlMappingNode)services["schema-registry"])["environment"];
        var registryKafka = ComposeDefault().Replace(((YamlScalarNode)registry["SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS"]).Value!, m => m.Groups["default"].Value);
        Assert.Equal(options.Kafka.BootstrapServers, registryKafka);
    }

    [Fact]
    public void Every_collector_pipeline_uses_receivers_processors_and_exporters_that_are_defined()
    {
        var config = Load(Path.Combine("ops", "otel-collector.yaml"));
        var pipelines = (YamlMappingNode)((YamlMappingNode)config["service"])["pipelines"];

        Assert.Equal(["traces", "metrics"], pipelines.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
        foreach (var (name, pipeline) in pipelines.Children)
        {
            foreach (var kind in new[] { "receivers", "processors", "exporters" })
            {
                var defined = ((YamlMappingNode)config[kind]).Children.Keys.Select(k => ((YamlScalarNode)k).Value).ToHashSet();
                var used = ((YamlSequenceNode)((YamlMappingNode)pipeline)[kind]).Children.Select(c => ((YamlScalarNode)c).Value).ToList();
                Assert.NotEmpty(used);
                Assert.All(used, component => Assert.True(defined.Contains(component), $"pipeline {name} uses {kind} '{component}', which is not defined"));
            }
        }

        // The traces go to the Jaeger service of the compose file, on its OTLP gRPC port.
        var jaeger = (YamlMappingNode)((YamlMappingNode)config["exporters"])["otlp/jaeger"];
        Assert.Equal("jaeger:4317", ((YamlScalarNode)jaeger["endpoint"]).Value);
    }

    [GeneratedRegex(@"\$\{[A-Z_]+:-(?<default>[^}]*)\}")]
    private static partial Regex ComposeDefault();

    private static YamlMappingNode Load(string relativePath)
    {
        using var reader = new StreamReader(Path.Combine(Root, relativePath));
        var yaml = new YamlStream();
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static (string File, string[] Prefix)? FindCompose()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator);
        bool OnPath(string name) => path.Any(dir => File.Exists(Path.Combine(dir, name)));
        if (OnPath("docker-compose"))
        {
            return ("docker-compose", []);
        }

        var plugins = new[] { "/usr/libexec/docker/cli-plugins", "/usr/lib/docker/cli-plugins", "/usr/local/lib/docker/cli-plugins", Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker", "cli-plugins") };
        return OnPath("docker") && plugins.Any(dir => File.Exists(Path.Combine(dir, "docker-compose"))) ? ("docker", ["compose"]) : null;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Streams.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Streams.sln not found above " + AppContext.BaseDirectory);
    }
}
