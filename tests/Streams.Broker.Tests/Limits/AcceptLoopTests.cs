using Streams.Broker.Protocol.Messages;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Limits;

/// <summary>The accept loop survives running out of file handles: it backs off instead of spinning or stopping.</summary>
[Collection(ResourceTestCollection.Name)]
public sealed class AcceptLoopTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "streams-broker-tests", Guid.NewGuid().ToString("N"));

    private static async Task<bool> ServedAsync(RawConnection connection, TimeSpan timeout)
    {
        try
        {
            return await connection.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest(), 2, timeout) is not null;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Under a low open-file limit, connections past what the handles allow are refused at once (the listener
    /// lowers max.connections to fit: at the limit the runtime could not even start a thread), the broker does not
    /// spin or die, and once clients let go it serves new ones.
    /// </summary>
    [SkippableFact]
    public async Task Out_of_file_handles_the_broker_refuses_without_spinning_and_serves_again_when_handles_free()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists("/usr/bin/prlimit"), "needs Linux and prlimit");
        using var broker = await BrokerProcess.StartAsync(_dataDirectory, fileLimit: 256, []);
        var open = new List<RawConnection>();
        var refused = 0;
        try
        {
            for (var i = 0; i < 300; i++)
            {
                var connection = await RawConnection.ConnectAsync(broker.BootstrapServers);
                if (await ServedAsync(connection, TimeSpan.FromSeconds(3)))
                {
                    open.Add(connection);
                }
                else
                {
                    refused++;
                    connection.Dispose();
                }
            }

            output.WriteLine($"{open.Count} connections served, {refused} refused (open-file limit 256)");
            Assert.InRange(open.Count, 1, 255);
            Assert.Equal(300 - open.Count, refused);

            // Holding every handle it may use, the broker idles: nothing retries in a loop.
            var cpuBefore = broker.CpuTime();
            var wallBefore = DateTime.UtcNow;
            await Task.Delay(TimeSpan.FromSeconds(2));
            var share = (broker.CpuTime() - cpuBefore) / (DateTime.UtcNow - wallBefore);
            output.WriteLine($"CPU while at the limit: {share:P0} of one core");
            Assert.True(share < 0.5, $"the broker used {share:P0} of a core at its handle limit");
            Assert.False(broker.HasExited);
            Assert.True(await ServedAsync(open[0], TimeSpan.FromSeconds(5)), "held connections must keep being served");

            open.ForEach(c => c.Dispose());
            open.Clear();
            for (var i = 0; i < 20; i++)
            {
                using var fresh = await RawConnection.ConnectAsync(broker.BootstrapServers);
                var deadline = DateTime.UtcNow.AddSeconds(10);
                while (!await ServedAsync(fresh, TimeSpan.FromSeconds(2)))
                {
                    Assert.True(DateTime.UtcNow < deadline, "new clients were not served after handles freed");
                }
            }

            Assert.False(broker.HasExited);
        }
        finally
        {
            open.ForEach(c => c.Dispose());
        }
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
