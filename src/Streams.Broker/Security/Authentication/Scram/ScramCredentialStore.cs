using System.Text.Json;
using System.Text.Json.Serialization;
using Streams.Broker.Storage;

namespace Streams.Broker.Security.Authentication.Scram;

/// <summary>
/// The SCRAM users, persisted in <c>meta/scram-credentials.json</c> (rewritten atomically on every change: temp file,
/// fsync, rename). The file holds salts, stored keys, server keys and iterations: enough to verify a client, never
/// enough to log in as one.
/// </summary>
internal sealed class ScramCredentialStore
{
    public const string FileName = "scram-credentials.json";

    private readonly string _path;
    private readonly Lock _lock = new();
    private Dictionary<string, Dictionary<string, ScramCredential>> _users;

    public ScramCredentialStore(string metaDirectory)
    {
        Directory.CreateDirectory(metaDirectory);
        _path = Path.Combine(metaDirectory, FileName);
        _users = Load(_path);
    }

    /// <summary>The credential of a user for a mechanism, if it has one.</summary>
    public ScramCredential? Find(string user, ScramMechanism mechanism)
    {
        lock (_lock)
        {
            return _users.GetValueOrDefault(user)?.GetValueOrDefault(mechanism.Name);
        }
    }

    /// <summary>Users and their mechanisms, by user name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<(ScramMechanism Mechanism, int Iterations)>> Describe()
    {
        lock (_lock)
        {
            return _users.ToDictionary(
                u => u.Key,
                u => (IReadOnlyList<(ScramMechanism, int)>)[.. u.Value.Select(m => (ScramMechanism.FromName(m.Key)!, m.Value.Iterations)).OrderBy(m => m.Item1.Code)],
                StringComparer.Ordinal);
        }
    }

    /// <summary>Applies deletions and upserts together and persists them once.</summary>
    public void Apply(IEnumerable<(string User, ScramMechanism Mechanism)> deletions, IEnumerable<(string User, ScramMechanism Mechanism, ScramCredential Credential)> upserts)
    {
        lock (_lock)
        {
            var next = _users.ToDictionary(u => u.Key, u => new Dictionary<string, ScramCredential>(u.Value, StringComparer.Ordinal), StringComparer.Ordinal);
            foreach (var (user, mechanism) in deletions)
            {
                if (next.TryGetValue(user, out var mechanisms) && mechanisms.Remove(mechanism.Name) && mechanisms.Count == 0)
                {
                    next.Remove(user);
                }
            }

            foreach (var (user, mechanism, credential) in upserts)
            {
                if (!next.TryGetValue(user, out var mechanisms))
                {
                    next[user] = mechanisms = new Dictionary<string, ScramCredential>(StringComparer.Ordinal);
                }

                mechanisms[mechanism.Name] = credential;
            }

            Save(_path, next);
            _users = next;
        }
    }

    private static Dictionary<string, Dictionary<string, ScramCredential>> Load(string path)
    {
        if (!File.Exists(path))
        {
            return new(StringComparer.Ordinal);
        }

        var file = JsonSerializer.Deserialize(File.ReadAllBytes(path), ScramCredentialsJsonContext.Default.CredentialFile)
            ?? throw new InvalidDataException($"{path} is empty");
        if (file.Version != 1)
        {
            throw new InvalidDataException($"{path} has version {file.Version}; this broker reads version 1");
        }

        var users = new Dictionary<string, Dictionary<string, ScramCredential>>(StringComparer.Ordinal);
        foreach (var (user, mechanisms) in file.Users)
        {
            users[user] = mechanisms.ToDictionary(
                m => ScramMechanism.FromName(m.Key)?.Name ?? throw new InvalidDataException($"{path}: unknown mechanism {m.Key} for user {user}"),
                m => new ScramCredential(Convert.FromBase64String(m.Value.Salt), Convert.FromBase64String(m.Value.StoredKey), Convert.FromBase64String(m.Value.ServerKey), m.Value.Iterations),
                StringComparer.Ordinal);
        }

        return users;
    }

    private static void Save(string path, Dictionary<string, Dictionary<string, ScramCredential>> users)
    {
        var file = new CredentialFile
        {
            Version = 1,
            Users = users.ToDictionary(
                u => u.Key,
                u => u.Value.ToDictionary(
                    m => m.Key,
                    m => new StoredCredential(Convert.ToBase64String(m.Value.Salt), Convert.ToBase64String(m.Value.StoredKey), Convert.ToBase64String(m.Value.ServerKey), m.Value.Iterations))),
        };
        FileUtil.WriteAtomically(path, JsonSerializer.SerializeToUtf8Bytes(file, ScramCredentialsJsonContext.Default.CredentialFile));
    }

    /// <summary>The file as stored (version 1).</summary>
    internal sealed class CredentialFile
    {
        [JsonPropertyName("version")]
        public int Version { get; set; }

        [JsonPropertyName("users")]
        public Dictionary<string, Dictionary<string, StoredCredential>> Users { get; set; } = [];
    }

    /// <summary>One user's credential for one mechanism, the byte strings in base64.</summary>
    internal sealed record StoredCredential(
        [property: JsonPropertyName("salt")] string Salt,
        [property: JsonPropertyName("storedKey")] string StoredKey,
        [property: JsonPropertyName("serverKey")] string ServerKey,
        [property: JsonPropertyName("iterations")] int Iterations);
}
