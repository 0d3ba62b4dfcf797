using System.CommandLine;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Streams.Operations;

namespace Streams.Cli.Infrastructure;

/// <summary>What a command is built with: the global options and the process's (or a test's) standard streams.</summary>
internal sealed class CliEnvironment(GlobalOptions options, TextWriter output, TextWriter error, TextReader input)
{
    public GlobalOptions Options { get; } = options;

    public TextWriter Output { get; } = output;

    public TextWriter Error { get; } = error;

    public TextReader Input { get; } = input;

    /// <summary>
    /// Runs <paramref name="action"/> for <paramref name="command"/> and turns its failures into exit codes, so no
    /// command has to: <see cref="CliException"/> carries its own, an operation's invalid request is a usage error (2),
    /// a failed operation and Kafka and registry errors are operation failures (1).
    /// </summary>
    public void SetAction(Command command, Func<ParseResult, CliSession, CancellationToken, Task<int>> action)
    {
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var session = await CliSession.ResolveAsync(parse, this, cancellationToken).ConfigureAwait(false);
                return await action(parse, session, cancellationToken).ConfigureAwait(false);
            }
            catch (CliException e)
            {
                await Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return e.ExitCode;
            }
            catch (InvalidRequestException e)
            {
                await Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Failed;
            }
            catch (Exception e) when (e is OperationFailedException or KafkaException or SchemaRegistryException or HttpRequestException or IOException or InvalidDataException or Avro.AvroException)
            {
                await Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Failed;
            }
        });
    }
}
