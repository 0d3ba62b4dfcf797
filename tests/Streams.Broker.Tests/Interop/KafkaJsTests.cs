using System.Diagnostics;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Interop;

/// <summary>
/// kafkajs 2.x (pure JavaScript, its own protocol code; .ci/run installs it with npm into tests/.node): it negotiates
/// each API's version from ApiVersions, so it exercises the ranges the broker advertises rather than librdkafka's.
/// </summary>
public sealed class KafkaJsTests(ITestOutputHelper output)
{
    private const string Script = """
        const { Kafka, logLevel } = require('kafkajs');
        const [bootstrap, topic, group] = process.argv.slice(2);
        (async () => {
          const kafka = new Kafka({ clientId: 'kafkajs-test', brokers: [bootstrap], logLevel: logLevel.NOTHING });
          const admin = kafka.admin();
          await admin.connect();
          await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
          const producer = kafka.producer();
          await producer.connect();
          await producer.send({ topic, messages: Array.from({ length: 20 }, (_, i) => ({ key: 'k' + i, value: 'v' + i })) });
          await producer.disconnect();
          const consumer = kafka.consumer({ groupId: group });
          await consumer.connect();
          await consumer.subscribe({ topic, fromBeginning: true });
          const seen = [];
          await new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error('consumed only ' + seen.length)), 60000);
            consumer.run({ eachMessage: async ({ message }) => {
              seen.push(message.value.toString());
              if (seen.length >= 20) { clearTimeout(timer); resolve(); }
            } });
          });
          await consumer.disconnect();
          const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] });
          const committed = offsets[0].partitions.reduce((sum, p) => sum + Number(p.offset), 0);
          const groups = (await admin.listGroups()).groups.map(g => g.groupId);
          await admin.disconnect();
          console.log('consumed ' + seen.sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))).join(','));
          console.log('committed ' + committed);
          console.log('groups ' + groups.join(','));
        })().catch(e => { console.error(e); process.exit(1); });
        """;

    /// <summary>tests/.node (where .ci/run installs kafkajs), found from the test binaries upwards.</summary>
    private static string? NodeModules()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", ".node", "node_modules");
            if (Directory.Exists(Path.Combine(candidate, "kafkajs")))
            {
                return candidate;
            }
        }

        return null;
    }

    [SkippableFact]
    public async Task Kafkajs_creates_a_topic_produces_consumes_in_a_group_commits_and_lists_groups()
    {
        var modules = NodeModules();
        Skip.If(modules is null || !File.Exists("/usr/bin/node"), "kafkajs is not installed (.ci/run: npm install --prefix tests/.node kafkajs@2)");
        await using var broker = await TestBroker.StartAsync(output);

        var script = Path.Combine(Path.GetTempPath(), $"kafkajs-{Guid.NewGuid():N}.js");
        await File.WriteAllTextAsync(script, Script);
        try
        {
            var info = new ProcessStartInfo("/usr/bin/node", [script, broker.BootstrapServers, "js-topic", "js-group"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            info.Environment["NODE_PATH"] = modules;
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            await process.WaitForExitAsync(timeout.Token);
            output.WriteLine(await stderr);
            Assert.True(process.ExitCode == 0, $"kafkajs failed: {await stderr}");
            var lines = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToDictionary(l => l.Split(' ')[0], l => l[(l.IndexOf(' ', StringComparison.Ordinal) + 1)..]);

            Assert.Equal(string.Join(',', Enumerable.Range(0, 20).Select(i => $"v{i}")), lines["consumed"]);
            Assert.Equal("20", lines["committed"]);
            Assert.Contains("js-group", lines["groups"].Split(','));
        }
        finally
        {
            File.Delete(script);
        }
    }
}
