using System.CommandLine;
using Confluent.Kafka.Admin;
using Streams.Cli.Infrastructure;

namespace Streams.Cli.Commands.Topics;

/// <summary><c>streams topics delete &lt;topic&gt;...</c>.</summary>
internal static class DeleteCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var topics = new NamesArgument("topics", "--topic", "Topic names");
        var ifExists = new Option<bool>("--if-exists") { Description = "Succeed when a topic does not exist" };
        var command = new Command("delete", "Delete topics and all their records") { ifExists };
        topics.AddTo(command);
        cli.SetAction(command, async (parse, session, _) =>
        {
            var names = topics.Read(parse);
            using var admin = session.CreateAdmin();
            try
            {
                await admin.DeleteTopicsAsync(names).ConfigureAwait(false);
            }
            catch (DeleteTopicsException e)
            {
                var failed = e.Results.Where(r => r.Error.IsError && !(parse.GetValue(ifExists) && r.Error.Code == Confluent.Kafka.ErrorCode.UnknownTopicOrPart)).ToList();
                if (failed.Count > 0)
                {
                    throw new CliException(string.Join("; ", failed.Select(r => $"Deleting topic '{r.Topic}' failed: {r.Error.Reason}")));
                }
            }

            await session.WriteAsync(new { deleted = names }, w => w.WriteLineAsync($"Deleted {string.Join(", ", names)}.")).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
