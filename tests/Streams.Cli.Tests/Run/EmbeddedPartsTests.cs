using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Cli.Tests.Support;

namespace Streams.Cli.Tests.Run;

[Collection(ClusterCollection.Name)]
public sealed class EmbeddedPartsTests(ClusterFixture cluster)
{
    /// <summary>Starts a server command, returns its first JSON line (printed once it listens) and a way to stop it.</summary>
    private static async Task<(JsonElement Ready, Func<Task<int>> Stop)> StartAsync(params string[] args)
    {
        var output = new StringWriter();
        var synchronized = TextWriter.Synchronized(output);
        var stop = new CancellationTokenSource();
        var run = StreamsCli.RunAsync(args, synchronized, TextWriter.Null, null, stop.Token);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        string text;
        while ((text = Snapshot(synchronized, output)).Length == 0 || !text.TrimEnd().EndsWith('}'))
        {
            Assert.False(run.IsCompleted, $"exited early with {(run.IsCompleted ? run.Result : 0)}");
            Assert.True(DateTime.UtcNow < deadline, "did not report that it listens");
            await Task.Delay(50);
        }

        return (JsonDocument.Parse(text).RootElement.Clone(), async () =>
        {
            await stop.CancelAsync();
            var exitCode = await run;
            stop.Dispose();
            return exitCode;
        });
    }

    private static string Snapshot(TextWriter synchronized, StringWriter output)
    {
        lock (synchronized)
        {
            return output.ToString();
        }
    }

    [Fact]
    public async Task Broker_serves_kafka_clients_until_stopped()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "streams-cli-broker", Guid.NewGuid().ToString("N"));
        try
        {
            var (ready, stop) = await StartAsync("broker", "--listen", "127.0.0.1:0", "--data-dir", dataDir, "--set", "num.partitions=2", "-o", "json");
            var bootstrap = ready.GetProperty("bootstrap").GetString()!;
            using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build())
            {
                await admin.CreateTopicsAsync([new TopicSpecification { Name = "hello", NumPartitions = -1, ReplicationFactor = -1 }]);
                Assert.Equal(2, admin.GetMetadata("hello", TimeSpan.FromSeconds(5)).Topics[0].Partitions.Count);
            }

            Assert.Equal(0, await stop());
            Assert.True(Directory.Exists(Path.Combine(dataDir, "hello-1")));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task Registry_serves_the_rest_api_on_the_given_cluster()
    {
        var (ready, stop) = await StartAsync("registry", "--listen", "http://127.0.0.1:0", "--bootstrap", cluster.Bootstrap, "-o", "json");
        using var http = new HttpClient();

        var subjects = await http.GetStringAsync(ready.GetProperty("url").GetString() + "/subjects");

        Assert.StartsWith("[", subjects, StringComparison.Ordinal);
        Assert.Equal(0, await stop());
    }
}
