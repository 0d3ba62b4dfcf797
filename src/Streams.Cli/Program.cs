using Streams.Cli;

// Ctrl+C cancels the running command (tail --follow stops, the exit code is still meaningful) instead of killing it.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

return await StreamsCli.RunAsync(args, Console.Out, Console.Error, Console.In, stop.Token).ConfigureAwait(false);
