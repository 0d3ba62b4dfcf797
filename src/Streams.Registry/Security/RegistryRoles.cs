namespace Streams.Registry.Security;

/// <summary>Role names as configured.</summary>
internal static class RegistryRoles
{
    public const string Names = "admin, developer, read-only";

    /// <summary>
    /// <c>admin</c>, <c>developer</c>, <c>read-only</c>; <c>readonly</c> and <c>user</c> (the read role in
    /// Confluent's <c>authentication.roles</c> examples) mean read-only. Case is ignored. Null for anything else.
    /// </summary>
    public static RegistryRole? TryParse(string? name) => name?.Trim().ToUpperInvariant() switch
    {
        "ADMIN" => RegistryRole.Admin,
        "DEVELOPER" => RegistryRole.Developer,
        "READ-ONLY" or "READONLY" or "READ_ONLY" or "USER" => RegistryRole.ReadOnly,
        _ => null,
    };

    public static string Name(RegistryRole role) => role switch
    {
        RegistryRole.Admin => "admin",
        RegistryRole.Developer => "developer",
        _ => "read-only",
    };
}
