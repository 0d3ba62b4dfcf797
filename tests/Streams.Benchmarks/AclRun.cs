using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Spectre.Console;
using Streams.Broker;
using Streams.Broker.Protocol;
using Streams.Broker.Security;
using Streams.Broker.Security.Authorization;

namespace Streams.Benchmarks;

/// <summary>
/// What authorization costs: nanoseconds per check against 10,000 ACLs (literal hit, prefix hit, refusal), and
/// Produce throughput of the same broker with the authorizer off and on (the bench principal allowed by a prefixed
/// ACL among the 10,000), alternating runs so drift hits both alike.
/// </summary>
internal static class AclRun
{
    private const int AclCount = 10_000;

    public static async Task RunAsync(int messages, int valueSize)
    {
        var acls = Acls();
        MeasureChecks(acls);

        var rates = new Dictionary<bool, List<double>> { [false] = [], [true] = [] };
        foreach (var authorize in new[] { false, true, true, false, false, true })
        {
            rates[authorize].Add(await ProduceRateAsync(authorize, acls, messages, valueSize).ConfigureAwait(false));
        }

        var off = rates[false].Max();
        var on = rates[true].Max();
        var table = new Table().AddColumns("produce msg/s (best of 3; each run)", "authorizer off", $"authorizer on ({AclCount:N0} ACLs)", "on / off");
        table.AddRow($"{messages:N0} x {valueSize} B, acks=all, idempotent", $"{off:N0} ({string.Join(", ", rates[false].Select(r => r.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))})",
            $"{on:N0} ({string.Join(", ", rates[true].Select(r => r.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))})", $"{on / off:P1}");
        AnsiConsole.Write(table);
    }

    /// <summary>10,000 ACLs: the bench principal's few (prefixed topics, its group, idempotent writes) among many for other users.</summary>
    private static List<AclBinding> Acls()
    {
        var acls = new List<AclBinding>
        {
            new(AclResourceType.Topic, "bench-", AclPatternType.Prefixed, "User:ANONYMOUS", "*", AclOperation.All, AclPermissionType.Allow),
            new(AclResourceType.Group, "bench", AclPatternType.Literal, "User:ANONYMOUS", "*", AclOperation.All, AclPermissionType.Allow),
            new(AclResourceType.Cluster, AclBinding.ClusterName, AclPatternType.Literal, "User:ANONYMOUS", "*", AclOperation.IdempotentWrite, AclPermissionType.Allow),
        };
        for (var i = acls.Count; i < AclCount; i++)
        {
            acls.Add((i % 10) switch
            {
                < 6 => new(AclResourceType.Topic, $"topic-{i}", AclPatternType.Literal, $"User:user-{i % 100}", "*", i % 2 == 0 ? AclOperation.Write : AclOperation.Read, AclPermissionType.Allow),
                < 8 => new(AclResourceType.Topic, $"team-{i}.", AclPatternType.Prefixed, $"User:user-{i % 100}", "*", AclOperation.Read, AclPermissionType.Allow),
                9 => new(AclResourceType.Topic, $"topic-{i - 3}", AclPatternType.Literal, "User:*", "10.0.0.1", AclOperation.Write, AclPermissionType.Deny),
                _ => new(AclResourceType.Group, $"group-{i}", AclPatternType.Literal, $"User:user-{i % 100}", "*", AclOperation.Read, AclPermissionType.Allow),
            });
        }

        return acls;
    }

    private static void MeasureChecks(List<AclBinding> acls)
    {
        var meta = Path.Combine(Path.GetTempPath(), "streams-bench-acl-" + Guid.NewGuid().ToString("N"));
        try
        {
            new AclStore(meta).Save(acls);
            var authorizer = new AclAuthorizer(AuthorizerSettings.Parse("StandardAuthorizer", "", false), meta, NullLoggerFactory.Instance);
            var writer = KafkaPrincipal.User("user-4");
            var reader = KafkaPrincipal.User("user-6");
            var anonymous = KafkaPrincipal.Anonymous;
            var table = new Table().AddColumns($"one check against {AclCount:N0} ACLs", "ns", "bytes allocated");

            // A discarded round first, so every measured row runs fully optimized code (tiered JIT).
            TimeCore(() => authorizer.Authorize(writer, "127.0.0.1", AclOperation.Write, AclResourceType.Topic, "topic-1004", ApiKey.Produce));
            table.AddRow(["literal topic, allowed", .. Time(() => authorizer.Authorize(writer, "127.0.0.1", AclOperation.Write, AclResourceType.Topic, "topic-1004", ApiKey.Produce))]);
            table.AddRow(["prefixed topic, allowed", .. Time(() => authorizer.Authorize(anonymous, "127.0.0.1", AclOperation.Write, AclResourceType.Topic, "bench-0123abcd", ApiKey.Produce))]);
            table.AddRow(["Describe implied by Read, prefixed", .. Time(() => authorizer.Authorize(reader, "127.0.0.1", AclOperation.Describe, AclResourceType.Topic, "team-1006.orders", ApiKey.Metadata))]);
            table.AddRow(["no matching ACL, refused (audit log off)", .. Time(() => authorizer.Authorize(anonymous, "127.0.0.1", AclOperation.Write, AclResourceType.Topic, "payments", ApiKey.Produce))]);
            table.AddRow(["topic authorized-operations bit set (8 checks)", .. Time(() => authorizer.AuthorizedOperations(writer, "127.0.0.1", AclResourceType.Topic, "topic-1004", ApiKey.Metadata) != 0)]);
            AnsiConsole.Write(table);
        }
        finally
        {
            Directory.Delete(meta, recursive: true);
        }
    }

    private static (string Ns, string Bytes) TimeCore(Func<bool> check)
    {
        const int Iterations = 2_000_000;
        for (var i = 0; i < 100_000; i++)
        {
            check();
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        var allowed = 0;
        for (var i = 0; i < Iterations; i++)
        {
            allowed += check() ? 1 : 0;
        }

        watch.Stop();
        var bytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)Iterations;
        GC.KeepAlive(allowed);
        return ($"{watch.Elapsed.TotalNanoseconds / Iterations:F0}", $"{bytes:F1}");
    }

    private static string[] Time(Func<bool> check)
    {
        var (ns, bytes) = TimeCore(check);
        return [ns, bytes];
    }

    private static async Task<double> ProduceRateAsync(bool authorize, List<AclBinding> acls, int messages, int valueSize)
    {
        var directory = Path.Combine(Path.GetTempPath(), "streams-bench-acl-" + Guid.NewGuid().ToString("N"));
        var options = new BrokerOptions { Port = 0, DataDirectory = directory };
        if (authorize)
        {
            new AclStore(Path.Combine(directory, "meta")).Save(acls);
            options.Settings["authorizer.class.name"] = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";
        }

        try
        {
            await using var broker = await KafkaBroker.StartAsync(options).ConfigureAwait(false);
            var result = await ThroughputRun.RunAsync(broker.BootstrapServers, messages, valueSize, null).ConfigureAwait(false);
            if (result.Consumed < messages)
            {
                throw new InvalidOperationException($"read back {result.Consumed} of {messages} messages (authorizer {(authorize ? "on" : "off")})");
            }

            return result.ProduceRate;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
