using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Contracts.Topics;
using Streams.Consumers;
using static Streams.IntegrationTests.TestEvents;

namespace Streams.IntegrationTests;

[Collection(KafkaCollection.Name)]
public sealed class ReplayTests(WorkerFixture worker) : IClassFixture<WorkerFixture>
{
    private string AuditPath => Path.Combine(worker.Options.DataDirectory, "audit.db");

    private IReadOnlyList<string> AuditRows()
    {
        using var audit = new AuditProjection(AuditPath);
        return audit.Snapshot();
    }

    [Fact]
    public async Task Deleting_the_audit_database_and_replaying_from_earliest_rebuilds_it_identically()
    {
        var carts = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var cart = NewCart();
            carts.Add(cart);
            await worker.Publisher.PublishAsync(Added(cart, "mug", 2, 7.50m));
            await worker.Publisher.PublishAsync(CheckedOut(cart));
        }

        // 10 events + 10 cart states + 5 orders.
        await Eventually.TrueAsync(() => AuditRows().Count(r => carts.Any(c => r.Contains(c, StringComparison.Ordinal))) >= 25, "the audit trail to hold every event");
        await Task.Delay(2000); // let the last commits land
        await worker.StopWorkerAsync();
        var before = AuditRows();
        File.Delete(AuditPath);
        await ResetGroupToEarliestAsync(AuditProjection.GroupId);

        await worker.StartWorkerAsync();
        await Eventually.TrueAsync(() => AuditRows().ToHashSet(StringComparer.Ordinal).IsSupersetOf(before), "the replay to rebuild the audit trail");

        // The cluster is shared (other test classes, and earlier runs on an external cluster), so the earliest
        // offsets can hold more than this worker had audited: every row it had comes back identical, and this
        // test's events exactly, nothing missing and nothing twice.
        bool Mine(string row) => carts.Any(c => row.Contains(c, StringComparison.Ordinal));
        var after = AuditRows();
        Assert.Subset(after.ToHashSet(StringComparer.Ordinal), before.ToHashSet(StringComparer.Ordinal));
        Assert.Equal(before.Where(Mine), after.Where(Mine));
    }

    [Fact]
    public async Task Restarting_the_worker_continues_from_committed_offsets_without_reprocessing()
    {
        var cart = NewCart();
        await worker.Publisher.PublishAsync(Added(cart, "desk", 1, 249m));
        await Eventually.TrueAsync(() => AuditRows().Any(r => r.Contains(cart, StringComparison.Ordinal)), "the first event audited");
        await Task.Delay(2000);
        await worker.StopWorkerAsync();
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = worker.BootstrapServers }).Build())
        {
            var committed = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(AuditProjection.GroupId, null)]);
            Assert.Contains(committed[0].Partitions, p => p.Topic == TopicCatalog.CartEvents.Name && p.Offset.Value > 0);
        }

        await worker.StartWorkerAsync();
        var later = Added(cart, "chair", 1, 129m);
        await worker.Publisher.PublishAsync(later);

        await Eventually.TrueAsync(() => AuditRows().Any(r => r.StartsWith(later.eventId, StringComparison.Ordinal)), "the new event audited after the restart");
    }

    private async Task ResetGroupToEarliestAsync(string groupId)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = worker.BootstrapServers }).Build();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
        var partitions = TopicCatalog.All
            .SelectMany(t => metadata.Topics.Single(m => m.Topic == t.Name).Partitions.Select(p => new TopicPartitionOffset(t.Name, p.PartitionId, 0)))
            .ToList();
        await admin.AlterConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitionOffsets(groupId, partitions)]);
    }
}
