using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Streams.Broker.Configs;
using Streams.Broker.Records;
using Streams.Broker.Storage;

namespace Streams.Benchmarks;

/// <summary>
/// Start-up time of a broker holding many partitions, after a clean and after an unclean stop: the data directory
/// is written directly through the storage layer (fast: no network), then the broker process is started on it and
/// timed from launch to its first answered ApiVersions (it listens only once every log is open). Open file
/// descriptors of the broker are counted from /proc at that moment. A second broker build can be measured on the
/// same directory as the baseline.
/// </summary>
internal static class RestartRun
{
    public sealed record Figures(string Broker, IReadOnlyList<double> CleanMs, IReadOnlyList<double> UncleanMs, int OpenFds);

    /// <summary>Writes <paramref name="partitions"/> partitions of <paramref name="megabytesPerPartition"/> MB each, with small segments.</summary>
    public static string WriteDataDirectory(int partitions, int megabytesPerPartition, int segmentBytes, int recordsPerBatch = 100)
    {
        var directory = Path.Combine(Path.GetTempPath(), "streams-restart-" + Guid.NewGuid().ToString("N"));
        var broker = new BrokerConfig(0, null);
        using var logs = new LogManager(directory, broker, NullLoggerFactory.Instance, TimeProvider.System);
        DataDirectoryFormat.CheckAndUpgrade(directory, NullLogger.Instance);
        logs.Load();
        var configs = new Dictionary<string, string?> { ["segment.bytes"] = segmentBytes.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var created = logs.CreateTopic("restart", partitions, configs, validateOnly: false);
        if (created.Error != Streams.Broker.Protocol.ErrorCode.None)
        {
            throw new InvalidOperationException(created.Message);
        }

        var value = new byte[150];
        Random.Shared.NextBytes(value);
        long target = megabytesPerPartition * 1024L * 1024L;
        Parallel.For(0, partitions, new ParallelOptions { MaxDegreeOfParallelism = 2 }, p =>
        {
            var partition = logs.GetPartition("restart", p)!;
            var sequence = 0;
            long written = 0;
            while (written < target)
            {
                // Records of 150 bytes (100 per batch by default, ~16 KB) from one idempotent producer per partition: producer state has something to restore.
                var builder = new RecordBatchBuilder(0, producerId: p, producerEpoch: 0, baseSequence: sequence);
                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                for (var i = 0; i < recordsPerBatch; i++)
                {
                    builder.Add(now, null, value);
                }

                var batch = builder.Build();
                sequence += recordsPerBatch;
                written += batch.Length;
                var result = partition.Append(batch, allowZstd: false);
                if (result.Error != Streams.Broker.Protocol.ErrorCode.None)
                {
                    throw new InvalidOperationException($"{result.Error}: {result.Message}");
                }
            }
        });
        logs.Close();
        return directory;
    }

    public static async Task<Figures> MeasureAsync(string brokerDll, string dataDirectory, int runs)
    {
        // Prime: one start and clean stop by this build, so the next start follows this build's own clean shutdown.
        (await StartAsync(brokerDll, dataDirectory).ConfigureAwait(false)).Terminate();
        var clean = new List<double>();
        var fds = 0;
        for (var i = 0; i < runs; i++)
        {
            var started = await StartAsync(brokerDll, dataDirectory).ConfigureAwait(false);
            clean.Add(started.StartMs);
            fds = started.OpenFds;
            started.Terminate();
        }

        var unclean = new List<double>();
        (await StartAsync(brokerDll, dataDirectory).ConfigureAwait(false)).Kill();
        for (var i = 0; i < runs; i++)
        {
            var started = await StartAsync(brokerDll, dataDirectory).ConfigureAwait(false);
            unclean.Add(started.StartMs);
            started.Kill();
        }

        // Leave the directory cleanly stopped for the next build measured on it.
        (await StartAsync(brokerDll, dataDirectory).ConfigureAwait(false)).Terminate();
        return new Figures(brokerDll, clean, unclean, fds);
    }

    private sealed class Started(Process process, double startMs, int openFds)
    {
        public double StartMs { get; } = startMs;

        public int OpenFds { get; } = openFds;

        public void Terminate()
        {
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                kill.WaitForExit();
            }

            process.WaitForExit();
            process.Dispose();
        }

        public void Kill()
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            process.Dispose();
        }
    }

    private static async Task<Started> StartAsync(string brokerDll, string dataDirectory)
    {
        var port = StartupRun.FreePort();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { brokerDll, "--listen", $"127.0.0.1:{port}", "--data-dir", dataDirectory })
        {
            info.ArgumentList.Add(arg);
        }

        var watch = Stopwatch.StartNew();
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the broker");
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        await StartupRun.FirstAnswerAsync(port, process, TimeSpan.FromMinutes(10)).ConfigureAwait(false);
        var elapsed = watch.Elapsed.TotalMilliseconds;
        var fds = Directory.GetFiles($"/proc/{process.Id}/fd").Length;
        return new Started(process, elapsed, fds);
    }
}
