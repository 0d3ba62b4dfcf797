namespace Streams.Registry.Model;

/// <summary>Confluent's registry modes: whether writes are accepted and whether ids may be chosen by the caller.</summary>
internal enum RegistryMode
{
    ReadWrite,
    ReadOnly,

    /// <summary>Registrations carry their own id and version (migrating from another registry); compatibility is not checked.</summary>
    Import,
}

internal static class RegistryModes
{
    public static bool TryParse(string? name, out RegistryMode mode)
    {
        switch (name?.ToUpperInvariant())
        {
            case "READWRITE":
                mode = RegistryMode.ReadWrite;
                return true;
            case "READONLY":
                mode = RegistryMode.ReadOnly;
                return true;
            case "IMPORT":
                mode = RegistryMode.Import;
                return true;
            default:
                mode = default;
                return false;
        }
    }

    public static string ToWireName(this RegistryMode mode) => mode switch
    {
        RegistryMode.ReadWrite => "READWRITE",
        RegistryMode.ReadOnly => "READONLY",
        RegistryMode.Import => "IMPORT",
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };
}
