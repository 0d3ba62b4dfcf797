using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests;

/// <summary>kcat (librdkafka's command-line client) as an independent check; .ci/run installs it.</summary>
public sealed class KcatTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Kcat_lists_metadata_produces_and_consumes()
    {
        Skip.If(Kcat.Path is null, "kcat is not installed (Debian package 'kcat'; .ci/run installs it)");
        await using var broker = await TestBroker.StartAsync(output);

        await Kcat.RunOkAsync("k1:first\nk2:second\nk1:third\n", "-b", broker.BootstrapServers, "-P", "-t", "kcat-topic", "-K", ":");
        var metadata = await Kcat.RunOkAsync("", "-b", broker.BootstrapServers, "-L");
        var consumed = await Kcat.RunOkAsync("", "-b", broker.BootstrapServers, "-C", "-t", "kcat-topic", "-o", "beginning", "-e", "-f", "%k=%s@%o\n");

        Assert.Contains("1 brokers:", metadata);
        Assert.Contains("topic \"kcat-topic\" with 1 partitions", metadata);
        Assert.Equal("k1=first@0\nk2=second@1\nk1=third@2\n", consumed);
    }
}
