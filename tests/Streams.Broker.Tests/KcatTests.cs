using System.Diagnostics;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests;

/// <summary>kcat (librdkafka's command-line client) as an independent check; .ci/run installs it.</summary>
public sealed class KcatTests(ITestOutputHelper output)
{
    private static readonly string? KcatPath = new[] { "/usr/bin/kcat", "/usr/local/bin/kcat", "/usr/bin/kafkacat" }.FirstOrDefault(File.Exists);

    private static async Task<string> RunAsync(string stdin, params string[] args)
    {
        var info = new ProcessStartInfo(KcatPath!) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"kcat {string.Join(' ', args)} failed: {await stderr}");
        return await stdout;
    }

    [SkippableFact]
    public async Task Kcat_lists_metadata_produces_and_consumes()
    {
        Skip.If(KcatPath is null, "kcat is not installed (Debian package 'kcat'; .ci/run installs it)");
        await using var broker = await TestBroker.StartAsync(output);

        await RunAsync("k1:first\nk2:second\nk1:third\n", "-b", broker.BootstrapServers, "-P", "-t", "kcat-topic", "-K", ":");
        var metadata = await RunAsync("", "-b", broker.BootstrapServers, "-L");
        var consumed = await RunAsync("", "-b", broker.BootstrapServers, "-C", "-t", "kcat-topic", "-o", "beginning", "-e", "-f", "%k=%s@%o\n");

        Assert.Contains("1 brokers:", metadata);
        Assert.Contains("topic \"kcat-topic\" with 1 partitions", metadata);
        Assert.Equal("k1=first@0\nk2=second@1\nk1=third@2\n", consumed);
    }
}
