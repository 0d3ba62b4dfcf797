using System.CommandLine;
using Streams.Cli.Infrastructure;
using Streams.Operations.Acls;

namespace Streams.Cli.Commands.Acls;

/// <summary><c>streams acls list</c>: the cluster's ACLs, all or those the filters match (kafka-acls.sh --list).</summary>
internal static class ListCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var arguments = new AclArguments(filter: true);
        var command = new Command("list", "List ACLs (filters: --principal, --topic, --group, --cluster, --transactional-id, --prefixed, --operation, --allow/--deny, --host)");
        arguments.AddTo(command);
        cli.SetAction(command, async (parse, session, _) =>
        {
            using var admin = session.CreateAdmin();
            var found = new HashSet<Confluent.Kafka.Admin.AclBinding>();
            foreach (var filter in arguments.Filters(parse))
            {
                found.UnionWith(await ClusterAcls.DescribeAsync(admin, filter).ConfigureAwait(false));
            }

            var bindings = AclNames.Ordered(found).ToList();
            await session.WriteAsync(bindings.Select(AclOutput.Json).ToList(), AclOutput.Table(bindings)).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
