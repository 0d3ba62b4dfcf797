namespace Streams.Registry.Security;

/// <summary>
/// Which role a request needs, from its method and path alone (so unknown paths are judged too, before routing):
/// reads need <see cref="RegistryRole.ReadOnly"/>; registering, looking up and checking schemas need
/// <see cref="RegistryRole.Developer"/>; everything else (config, mode, deletes) needs <see cref="RegistryRole.Admin"/>.
/// </summary>
internal static class AccessRules
{
    /// <summary>The role needed, and the operation and resource as a denial names them (Confluent's wording).</summary>
    public static (RegistryRole Needed, string Operation, string Resource) Classify(string method, string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var resource = Resource(segments);
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
        {
            return (RegistryRole.ReadOnly, "Read", resource);
        }

        if (HttpMethods.IsPost(method))
        {
            switch (segments)
            {
                case ["subjects", _]:
                    return (RegistryRole.Developer, "Read", resource);
                case ["subjects", _, "versions"]:
                    return (RegistryRole.Developer, "Write", resource);
                case ["compatibility", "subjects", _, "versions", ..]:
                    return (RegistryRole.Developer, "Read", resource);
            }
        }

        var operation = HttpMethods.IsDelete(method) ? "Delete" : segments is ["config", ..] or ["mode", ..] ? "AlterConfigs" : "Write";
        return (RegistryRole.Admin, operation, resource);
    }

    private static string Resource(string[] segments) => segments switch
    {
        ["subjects", var subject, ..] => $"Subject: {subject}",
        ["compatibility", "subjects", var subject, ..] => $"Subject: {subject}",
        ["config" or "mode", var subject, ..] => $"Subject: {subject}",
        ["config"] => "global compatibility config",
        ["mode"] => "global mode",
        [] => "registry",
        _ => $"/{string.Join('/', segments)}",
    };
}
