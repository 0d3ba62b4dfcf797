namespace Streams.Registry.Security;

/// <summary>What an authenticated user of the registry may do; each role includes the ones below it.</summary>
public enum RegistryRole
{
    /// <summary>Reads only: GET and HEAD of every resource.</summary>
    ReadOnly = 1,

    /// <summary>
    /// Reads, plus what a producing application does: register a schema (<c>POST /subjects/{s}/versions</c>), look one
    /// up (<c>POST /subjects/{s}</c>) and check compatibility (<c>POST /compatibility/...</c>).
    /// </summary>
    Developer = 2,

    /// <summary>Everything, including compatibility configs, modes (import), and deletes.</summary>
    Admin = 3,
}
