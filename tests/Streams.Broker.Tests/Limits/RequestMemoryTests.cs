using System.Buffers.Binary;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Limits;

/// <summary>Memory of half-sent requests is bounded while they arrive and given back when their connections close.</summary>
[Collection(ResourceTestCollection.Name)]
public sealed class RequestMemoryTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "streams-broker-tests", Guid.NewGuid().ToString("N"));

    [SkippableFact]
    public async Task Half_sent_large_requests_stay_within_queued_bytes_and_their_memory_returns_after_close()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "reads /proc");
        using var broker = await BrokerProcess.StartAsync(_dataDirectory, "--set", "queued.max.request.bytes=104857604");
        using (var warm = await RawConnection.ConnectAsync(broker.BootstrapServers))
        {
            Assert.NotNull(await warm.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest(), 2));
        }

        var baseline = broker.ResidentBytes();
        var slow = new List<RawConnection>();
        long peak = 0;
        try
        {
            // 60 clients each announce 5 MB and send 90 % of it (300 MB announced): only 100 MB may be admitted.
            var chunk = new byte[4 + 4_500_000];
            BinaryPrimitives.WriteInt32BigEndian(chunk, 5_000_000);
            for (var i = 0; i < 60; i++)
            {
                var connection = await RawConnection.ConnectAsync(broker.BootstrapServers);
                slow.Add(connection);
                _ = connection.SendRawAsync(chunk).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            for (var i = 0; i < 20; i++)
            {
                await Task.Delay(100);
                peak = Math.Max(peak, broker.ResidentBytes());
            }

            // Others are still served meanwhile: a small request fits beside the admitted ones.
            using var other = await RawConnection.ConnectAsync(broker.BootstrapServers);
            Assert.NotNull(await other.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest(), 2, TimeSpan.FromSeconds(10)));
        }
        finally
        {
            slow.ForEach(c => c.Dispose());
        }

        var deadline = DateTime.UtcNow.AddSeconds(20);
        long after;
        do
        {
            await Task.Delay(500);
            after = broker.ResidentBytes();
        }
        while (after > baseline + (48L << 20) && DateTime.UtcNow < deadline);

        output.WriteLine($"RSS baseline {baseline >> 20} MB, peak {peak >> 20} MB with 300 MB announced, {after >> 20} MB after close");
        Assert.True(peak < baseline + (256L << 20), $"peak {peak >> 20} MB");
        Assert.True(after <= baseline + (48L << 20), $"{after >> 20} MB still resident after the connections closed (baseline {baseline >> 20} MB)");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
