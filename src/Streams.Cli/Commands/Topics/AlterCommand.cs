using System.CommandLine;
using Confluent.Kafka.Admin;
using Streams.Cli.Infrastructure;
using Streams.Operations.Cluster;

namespace Streams.Cli.Commands.Topics;

/// <summary><c>streams topics alter &lt;topic&gt;</c>: more partitions, and configs set or removed.</summary>
internal static class AlterCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var topic = new NameArgument("topic", "--topic", "Topic name");
        var partitions = new Option<int?>("--partitions") { Description = "New, larger partition count (Kafka cannot shrink a topic)" };
        var configs = new Option<string[]>("--config") { Description = "Set topic config name=value; repeatable" };
        var deleteConfigs = new Option<string[]>("--delete-config") { Description = "Remove a topic config override (back to the broker default); repeatable" };
        var command = new Command("alter", "Add partitions or change configs of a topic") { partitions, configs, deleteConfigs };
        topic.AddTo(command);
        cli.SetAction(command, async (parse, session, _) =>
        {
            var name = topic.Read(parse);
            var set = ConfigArguments.Parse(parse.GetValue(configs));
            var delete = parse.GetValue(deleteConfigs) ?? [];
            var count = parse.GetValue(partitions);
            if (count is null && set.Count == 0 && delete.Length == 0)
            {
                throw CliException.Usage("nothing to change: give --partitions, --config or --delete-config");
            }

            using var admin = session.CreateAdmin();
            var existing = await ClusterQueries.PartitionsAsync(admin, name).ConfigureAwait(false);
            if (count is { } wanted && wanted != existing.Count)
            {
                if (wanted < existing.Count)
                {
                    throw new CliException($"Topic '{name}' has {existing.Count} partitions; Kafka cannot reduce them to {wanted}.");
                }

                try
                {
                    await admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = name, IncreaseTo = wanted }]).ConfigureAwait(false);
                }
                catch (CreatePartitionsException e)
                {
                    throw new CliException($"Adding partitions to '{name}' failed: {e.Results[0].Error.Reason}");
                }
            }

            await TopicConfigs.AlterAsync(admin, name, set, delete).ConfigureAwait(false);
            await session.WriteAsync(new { topic = name, partitions = count ?? existing.Count, set, deleted = delete },
                w => w.WriteLineAsync($"Altered topic {name}.")).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
