namespace Streams.Cli.Infrastructure;

/// <summary>
/// A failure the user should read as one line, mapped to an exit code scripts can rely on:
/// <see cref="ExitCodes.Usage"/> for a wrong command line, <see cref="ExitCodes.Failed"/> for an operation that could not be done.
/// </summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.Failed) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static CliException Usage(string message) => new(message, ExitCodes.Usage);
}

/// <summary>The exit codes of every command (documented in the README; scripts test them).</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;
}
