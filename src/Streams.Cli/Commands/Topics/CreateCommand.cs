using System.CommandLine;
using Confluent.Kafka.Admin;
using Streams.Cli.Infrastructure;

namespace Streams.Cli.Commands.Topics;

/// <summary><c>streams topics create &lt;topic&gt;</c>.</summary>
internal static class CreateCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var topic = new NameArgument("topic", "--topic", "Topic name");
        var partitions = new Option<int?>("--partitions") { Description = "Partition count (default: the broker's num.partitions)" };
        var replication = new Option<short?>("--replication-factor") { Description = "Replicas per partition (default: the broker's default.replication.factor)" };
        var configs = new Option<string[]>("--config") { Description = "Topic config name=value; repeatable" };
        var ifNotExists = new Option<bool>("--if-not-exists") { Description = "Succeed when the topic already exists" };
        var command = new Command("create", "Create a topic") { partitions, replication, configs, ifNotExists };
        topic.AddTo(command);
        cli.SetAction(command, async (parse, session, _) =>
        {
            var name = topic.Read(parse);
            var specification = new TopicSpecification
            {
                Name = name,
                NumPartitions = parse.GetValue(partitions) ?? -1,
                ReplicationFactor = parse.GetValue(replication) ?? -1,
                Configs = ConfigArguments.Parse(parse.GetValue(configs)),
            };
            using var admin = session.CreateAdmin();
            try
            {
                await admin.CreateTopicsAsync([specification]).ConfigureAwait(false);
            }
            catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code == Confluent.Kafka.ErrorCode.TopicAlreadyExists) && parse.GetValue(ifNotExists))
            {
                await session.NoteAsync($"Topic '{name}' already exists.").ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            catch (CreateTopicsException e)
            {
                throw new CliException($"Creating topic '{name}' failed: {e.Results[0].Error.Reason}");
            }

            await session.WriteAsync(new { topic = name, created = true }, w => w.WriteLineAsync($"Created topic {name}.")).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
