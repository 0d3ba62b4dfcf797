using Streamiz.Kafka.Net;
using Streamiz.Kafka.Net.Mock;
using Streamiz.Kafka.Net.SerDes;

namespace Streams.Topology.Tests;

internal static class TestDriver
{
    /// <summary>A driver over the topology <paramref name="build"/> makes, with its own state directory.</summary>
    public static TopologyTestDriver Create(Action<StreamBuilder> build, TopologyTestDriver.Mode mode = TopologyTestDriver.Mode.SYNC_TASK)
    {
        var builder = new StreamBuilder();
        build(builder);
        var config = new StreamConfig<StringSerDes, StringSerDes>
        {
            ApplicationId = "topology-test-" + Guid.NewGuid().ToString("N")[..8],
            StateDir = Path.Combine(Path.GetTempPath(), "streams-topology-tests", "state", Guid.NewGuid().ToString("N")),
        };
        return new TopologyTestDriver(builder.Build(), config, mode);
    }
}
