using System.Buffers.Binary;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Limits;

/// <summary>Connection limits and timeouts, tried over TCP as a hostile client would.</summary>
public sealed class ConnectionLimitTests(ITestOutputHelper output)
{
    private static async Task<bool> ServedAsync(RawConnection connection)
    {
        try
        {
            var response = await connection.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest(), 2, TimeSpan.FromSeconds(5));
            return response is not null;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Connects until the broker serves again (a closed slot is released once its connection is torn down).</summary>
    private static async Task<RawConnection> ConnectServedAsync(TestBroker broker)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var connection = await RawConnection.ConnectAsync(broker.Broker);
            if (await ServedAsync(connection))
            {
                return connection;
            }

            connection.Dispose();
            Assert.True(DateTime.UtcNow < deadline, "no connection was served again");
            await Task.Delay(100);
        }
    }

    private async Task AssertLimitAsync(Dictionary<string, string> settings, int allowed)
    {
        await using var broker = await TestBroker.StartAsync(output, settings);
        var open = new List<RawConnection>();
        try
        {
            for (var i = 0; i < allowed; i++)
            {
                open.Add(await RawConnection.ConnectAsync(broker.Broker));
                Assert.True(await ServedAsync(open[^1]), $"connection {i + 1} of {allowed} should be served");
            }

            using (var over = await RawConnection.ConnectAsync(broker.Broker))
            {
                Assert.True(await over.IsClosedByBrokerAsync(TimeSpan.FromSeconds(5)), "the connection over the limit should be closed");
            }

            // The ones within the limit are unaffected, and a freed slot is usable again.
            Assert.True(await ServedAsync(open[0]));
            open[^1].Dispose();
            open.RemoveAt(open.Count - 1);
            open.Add(await ConnectServedAsync(broker));
        }
        finally
        {
            open.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public Task Max_connections_closes_connections_over_the_limit() =>
        AssertLimitAsync(new() { ["max.connections"] = "3" }, 3);

    [Fact]
    public Task Max_connections_per_listener_form_applies() =>
        AssertLimitAsync(new() { ["listener.name.plaintext.max.connections"] = "2" }, 2);

    [Fact]
    public Task Max_connections_per_ip_closes_connections_over_the_limit() =>
        AssertLimitAsync(new() { ["max.connections.per.ip"] = "2" }, 2);

    [Fact]
    public Task Max_connections_per_ip_overrides_name_an_address() =>
        AssertLimitAsync(new() { ["max.connections.per.ip"] = "1", ["max.connections.per.ip.overrides"] = "10.0.0.1:5,127.0.0.1:3" }, 3);

    [Fact]
    public async Task Idle_connections_are_closed_and_busy_ones_are_not()
    {
        await using var broker = await TestBroker.StartAsync(output, new Dictionary<string, string> { ["connections.max.idle.ms"] = "2000" });

        // The first request of a fresh test process compiles the client's and the broker's request path; on a slow
        // machine that alone can outlast 700 ms, and the busy connection would look idle before its first request.
        using (var warm = await RawConnection.ConnectAsync(broker.Broker))
        {
            Assert.True(await ServedAsync(warm));
        }

        using var idle = await RawConnection.ConnectAsync(broker.Broker);
        using var busy = await RawConnection.ConnectAsync(broker.Broker);
        var started = DateTime.UtcNow;
        var closed = idle.IsClosedByBrokerAsync(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 14; i++)
        {
            Assert.True(await ServedAsync(busy));
            await Task.Delay(250);
        }

        Assert.True(await closed);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10));
        Assert.True(await ServedAsync(busy));
    }

    [Fact]
    public async Task A_request_that_never_finishes_arriving_is_dropped_with_its_connection()
    {
        await using var broker = await TestBroker.StartAsync(output, new Dictionary<string, string> { ["socket.request.receive.timeout.ms"] = "500" });
        var budget = broker.Broker.Context.RequestMemory!;
        var capacity = budget.Available;
        using var slow = await RawConnection.ConnectAsync(broker.Broker);
        var frame = new byte[4 + 100];
        BinaryPrimitives.WriteInt32BigEndian(frame, 5_000_000);
        await slow.SendRawAsync(frame);
        await Task.Delay(200);
        Assert.Equal(capacity - 5_000_000, budget.Available);

        // Trickling bytes does not extend the deadline: it runs from the size prefix.
        var trickle = Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                try
                {
                    await slow.SendRawAsync(new byte[10]);
                }
                catch (IOException)
                {
                    return;
                }

                await Task.Delay(100);
            }
        });
        Assert.True(await slow.IsClosedByBrokerAsync(TimeSpan.FromSeconds(5)));
        await trickle;
        Assert.Equal(capacity, budget.Available);
    }

    [Fact]
    public async Task Queued_request_bytes_make_further_requests_wait_until_memory_frees()
    {
        // Room for one 1 MB request: a second request waits (its connection is not read) rather than being buffered.
        await using var broker = await TestBroker.StartAsync(output, new Dictionary<string, string>
        {
            ["socket.request.max.bytes"] = "1048576",
            ["queued.max.request.bytes"] = "1048580",
        });
        using var holder = await RawConnection.ConnectAsync(broker.Broker);
        var partial = new byte[4 + 1000];
        BinaryPrimitives.WriteInt32BigEndian(partial, 1_048_576);
        await holder.SendRawAsync(partial);
        await Task.Delay(200);

        using var waiting = await RawConnection.ConnectAsync(broker.Broker);
        var answered = ServedAsync(waiting);
        await Task.Delay(1000);
        Assert.False(answered.IsCompleted, "a request was admitted beyond queued.max.request.bytes");

        holder.Dispose();
        Assert.True(await answered);
        Assert.Equal(1_048_580, broker.Broker.Context.RequestMemory!.Available);
    }

    [Fact]
    public async Task Oversized_frame_closes_before_anything_is_buffered()
    {
        await using var broker = await TestBroker.StartAsync(output, new Dictionary<string, string> { ["socket.request.max.bytes"] = "1000" });
        var budget = broker.Broker.Context.RequestMemory!;
        var capacity = budget.Available;
        using var bad = await RawConnection.ConnectAsync(broker.Broker);
        var prefix = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(prefix, 1001);
        await bad.SendRawAsync(prefix);
        Assert.True(await bad.IsClosedByBrokerAsync());
        Assert.Equal(capacity, budget.Available);
    }

    [Theory]
    [InlineData("queued.max.request.bytes", "1000")]
    [InlineData("max.connections.per.ip.overrides", "127.0.0.1")]
    [InlineData("listener.name.plaintext.max.connections", "-1")]
    [InlineData("fetch.max.bytes", "0")]
    public async Task Bad_limit_settings_are_refused_at_start(string name, string value)
    {
        var ex = await Assert.ThrowsAnyAsync<ArgumentException>(() => TestBroker.StartAsync(output, new Dictionary<string, string> { [name] = value }));
        Assert.Contains(name, ex.Message, StringComparison.Ordinal);
    }
}
