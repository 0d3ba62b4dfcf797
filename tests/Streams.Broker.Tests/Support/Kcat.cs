using System.Diagnostics;

namespace Streams.Broker.Tests.Support;

/// <summary>kcat, an independent Kafka client (librdkafka in C), run as a process by the interoperability tests.</summary>
internal static class Kcat
{
    /// <summary>Where kcat is installed; null when it is not (tests then report themselves skipped).</summary>
    public static readonly string? Path = new[] { "/usr/bin/kcat", "/usr/local/bin/kcat", "/usr/bin/kafkacat" }.FirstOrDefault(File.Exists);

    /// <summary>Runs kcat with <paramref name="stdin"/> as its input; its exit code and both outputs.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string stdin, params string[] args)
    {
        var info = new ProcessStartInfo(Path!) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs kcat and fails the test unless it exits 0; its standard output.</summary>
    public static async Task<string> RunOkAsync(string stdin, params string[] args)
    {
        var (exitCode, stdout, stderr) = await RunAsync(stdin, args);
        Assert.True(exitCode == 0, $"kcat {string.Join(' ', args)} failed: {stderr}");
        return stdout;
    }
}
