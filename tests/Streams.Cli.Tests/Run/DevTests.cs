using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Streams.Cli.Tests.Run;

/// <summary>
/// <c>streams dev</c> runs the worker, whose host stops on SIGTERM/Ctrl+C only, so this test runs the real
/// <c>streams</c> executable as a child process and signals it as an operator would.
/// </summary>
public sealed partial class DevTests
{
    [Fact]
    public async Task Dev_runs_the_whole_system_and_stops_cleanly_on_sigterm()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no SIGTERM to send
        }

        var dataDir = Path.Combine(Path.GetTempPath(), "streams-cli-dev", Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "streams"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { "dev", "--Streams:EmbeddedKafkaPort=0", "--Streams:EmbeddedRegistryPort=0", $"--Streams:DataDirectory={dataDir}", "--Streams:Simulator:EventsPerSecond=5" },
        };
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(40);
            while (!log.Any(l => l.Contains("Topology application is RUNNING", StringComparison.Ordinal)))
            {
                Assert.False(process.HasExited, string.Join('\n', log));
                Assert.True(DateTime.UtcNow < deadline, "the worker did not start:\n" + string.Join('\n', log));
                await Task.Delay(100);
            }

            var bootstrap = BrokerListening().Match(string.Join('\n', log)).Groups[1].Value;
            var topics = await CliAsync("topics", "list", "--bootstrap", bootstrap, "-o", "json");
            Assert.Contains("\"logins\"", topics, StringComparison.Ordinal);

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(40));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, string.Join('\n', log));
            Assert.Contains(log, l => l.Contains("Kafka broker stopped cleanly", StringComparison.Ordinal));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<string> CliAsync(params string[] args)
    {
        using var output = new StringWriter();
        Assert.Equal(0, await StreamsCli.RunAsync(args, output, TextWriter.Null));
        return output.ToString();
    }

    [GeneratedRegex(@"Kafka broker listening on (\S+)")]
    private static partial Regex BrokerListening();
}
