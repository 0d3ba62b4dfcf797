using System.Text.Json;
using Streams.Broker.Storage;

namespace Streams.Broker.Security.Authorization;

/// <summary>
/// The ACLs on disk: <c>meta/acls.json</c> in the data directory, rewritten whole (temporary file, fsync, rename) on
/// every change, so a crash leaves either the old or the new set, never a torn one.
/// </summary>
internal sealed class AclStore(string metaDirectory)
{
    public string Path { get; } = System.IO.Path.Combine(metaDirectory, "acls.json");

    /// <summary>The stored ACLs; none when the file does not exist yet.</summary>
    /// <exception cref="InvalidDataException">
    /// The file is damaged. Starting without it would drop DENY rules silently, so the broker refuses to start instead.
    /// </exception>
    public IReadOnlyList<AclBinding> Load()
    {
        if (!File.Exists(Path))
        {
            return [];
        }

        List<AclBinding>? acls;
        try
        {
            acls = JsonSerializer.Deserialize(File.ReadAllText(Path), AclJsonContext.Default.ListAclBinding);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{Path} is damaged ({ex.Message}); restore it from a backup or remove it to start with no ACLs", ex);
        }

        foreach (var acl in acls ?? [])
        {
            var error = acl is null ? "an empty entry" : acl.Validate();
            if (error is not null)
            {
                throw new InvalidDataException($"{Path} holds an invalid ACL {acl}: {error}");
            }
        }

        return acls ?? [];
    }

    public void Save(IReadOnlyList<AclBinding> acls)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        FileUtil.WriteAtomically(Path, JsonSerializer.Serialize([.. acls], AclJsonContext.Default.ListAclBinding));
    }
}
