using Confluent.Kafka.Admin;
using Streams.Cli.Infrastructure;
using Streams.Operations.Acls;

namespace Streams.Cli.Commands.Acls;

/// <summary>ACLs as every <c>acls</c> command prints them: one row per binding, the same fields in JSON.</summary>
internal static class AclOutput
{
    public static readonly string[] Headers = ["PRINCIPAL", "PERMISSION", "OPERATION", "RESOURCE-TYPE", "RESOURCE", "PATTERN", "HOST"];

    public static object Json(AclBinding binding) => new
    {
        principal = binding.Entry.Principal,
        permission = binding.Entry.PermissionType.ToString(),
        operation = binding.Entry.Operation.ToString(),
        resourceType = AclNames.Format(binding.Pattern.Type),
        resource = binding.Pattern.Name,
        pattern = AclNames.Format(binding.Pattern.ResourcePatternType),
        host = binding.Entry.Host,
    };

    public static object?[] Cells(AclBinding binding) =>
    [
        binding.Entry.Principal, binding.Entry.PermissionType, binding.Entry.Operation, AclNames.Format(binding.Pattern.Type),
        binding.Pattern.Name, AclNames.Format(binding.Pattern.ResourcePatternType), binding.Entry.Host,
    ];

    public static TextTable Table(IEnumerable<AclBinding> bindings)
    {
        var table = new TextTable(Headers);
        foreach (var binding in bindings)
        {
            table.Add(Cells(binding));
        }

        return table;
    }
}
