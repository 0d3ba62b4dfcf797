using System.Diagnostics;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Interop;

/// <summary>
/// kafka-python (Debian python3-kafka, .ci/run installs it): a client with its own protocol code that detects the broker
/// version at startup with ApiVersions v0 and Metadata v0 and then picks request versions from what it detected.
/// </summary>
public sealed class KafkaPythonTests(ITestOutputHelper output)
{
    private const string Python = "/usr/bin/python3";

    // No api_version: the client must detect it, which is the startup that used to fail.
    private const string Script = """
        import sys, time
        from kafka import KafkaAdminClient, KafkaProducer, KafkaConsumer, TopicPartition
        from kafka.admin import NewTopic
        bootstrap, topic, group = sys.argv[1:4]
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id='py-admin')
        admin.create_topics([NewTopic(topic, 2, 1)])
        producer = KafkaProducer(bootstrap_servers=bootstrap)
        print('api_version', '.'.join(map(str, producer.config['api_version'])))
        for i in range(20):
            producer.send(topic, key=b'k%d' % i, value=b'v%d' % i)
        producer.flush()
        producer.close()
        consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset='earliest', enable_auto_commit=False)
        seen = []
        deadline = time.time() + 60
        while len(seen) < 20 and time.time() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                seen.extend(r.value.decode() for r in records)
        consumer.commit()
        consumer.close()
        print('consumed', ','.join(sorted(seen, key=lambda v: int(v[1:]))))
        offsets = admin.list_consumer_group_offsets(group)
        print('committed', sum(o.offset for o in offsets.values()))
        print('groups', ','.join(g for g, _ in admin.list_consumer_groups()))
        admin.close()
        """;

    private static bool KafkaPythonInstalled()
    {
        if (!File.Exists(Python))
        {
            return false;
        }

        using var process = Process.Start(new ProcessStartInfo(Python, ["-c", "import kafka"]) { RedirectStandardError = true })!;
        process.WaitForExit();
        return process.ExitCode == 0;
    }

    [SkippableFact]
    public async Task Kafka_python_detects_the_broker_creates_a_topic_produces_consumes_in_a_group_and_commits()
    {
        Skip.IfNot(KafkaPythonInstalled(), "kafka-python is not installed (Debian package 'python3-kafka'; .ci/run installs it)");
        await using var broker = await TestBroker.StartAsync(output);

        var script = Path.Combine(Path.GetTempPath(), $"kafka-python-{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(script, Script);
        try
        {
            var info = new ProcessStartInfo(Python, [script, broker.BootstrapServers, "py-topic", "py-group"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            await process.WaitForExitAsync(timeout.Token);
            output.WriteLine(await stderr);
            var lines = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToDictionary(l => l.Split(' ')[0], l => l[(l.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
            Assert.True(process.ExitCode == 0, $"kafka-python failed: {await stderr}");

            // 2.5.0 is the newest broker kafka-python 2.0.2 knows: it recognised every API it probes for.
            Assert.Equal("2.5.0", lines["api_version"]);
            Assert.Equal(string.Join(',', Enumerable.Range(0, 20).Select(i => $"v{i}")), lines["consumed"]);
            Assert.Equal("20", lines["committed"]);
            Assert.Contains("py-group", lines["groups"].Split(','));
        }
        finally
        {
            File.Delete(script);
        }
    }
}
