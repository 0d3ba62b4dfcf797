using Streams.Registry.Model;

namespace Streams.Registry.Storage;

/// <summary>
/// Everything the registry knows, as a fold over <c>_schemas</c> in offset order. Only <see cref="Apply"/> changes
/// it (called by the log reader), so every instance reading the same topic ends up in the same state, and a write is
/// visible exactly when its record has been read back. Readers take the same lock: the state is small and reads
/// are dictionary look-ups.
/// </summary>
internal sealed class RegistryState
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SortedDictionary<int, SchemaVersion>> _subjects = new(StringComparer.Ordinal);
    private readonly Dictionary<int, StoredSchema> _schemas = [];
    private readonly Dictionary<SchemaKey, int> _idsBySchema = [];
    private readonly Dictionary<string, CompatibilityLevel> _subjectLevels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RegistryMode> _subjectModes = new(StringComparer.Ordinal);

    /// <summary>Raised for records that contradict the state before them (two writers raced); they are ignored.</summary>
    public event Action<string>? Conflict;

    public CompatibilityLevel? GlobalLevel { get; private set; }

    public RegistryMode? GlobalMode { get; private set; }

    /// <summary>Highest id ever read, so ids are never handed out twice.</summary>
    public int MaxId { get; private set; }

    /// <summary>Applies one record; false when it was ignored because it contradicts the state.</summary>
    public bool Apply(LogRecord record)
    {
        lock (_gate)
        {
            switch (record)
            {
                case SchemaRecord s:
                    return ApplySchema(s);
                case ConfigRecord { Subject: null } c:
                    GlobalLevel = c.Level;
                    return true;
                case ConfigRecord c:
                    Set(_subjectLevels, c.Subject!, c.Level);
                    return true;
                case ModeRecord { Subject: null } m:
                    GlobalMode = m.Mode;
                    return true;
                case ModeRecord m:
                    Set(_subjectModes, m.Subject!, m.Mode);
                    return true;
                default:
                    return false;
            }
        }
    }

    private bool ApplySchema(SchemaRecord record)
    {
        if (record.Schema is null)
        {
            if (_subjects.TryGetValue(record.Subject, out var removeFrom) && removeFrom.Remove(record.Version, out var removed))
            {
                if (removeFrom.Count == 0)
                {
                    _subjects.Remove(record.Subject);
                }

                ForgetIfUnused(removed.Id);
            }

            return true;
        }

        var schema = record.Schema;
        if (_schemas.TryGetValue(schema.Id, out var known) && !SameSchema(known, schema))
        {
            Conflict?.Invoke($"id {schema.Id} is already another schema; record for {record.Subject} v{record.Version} ignored");
            return false;
        }

        var versions = _subjects.TryGetValue(record.Subject, out var existing) ? existing : _subjects[record.Subject] = [];
        if (versions.TryGetValue(record.Version, out var current) && current.Id != schema.Id)
        {
            Conflict?.Invoke($"{record.Subject} v{record.Version} is already id {current.Id}; record with id {schema.Id} ignored");
            return false;
        }

        if (known is null)
        {
            _schemas[schema.Id] = schema;
            _idsBySchema.TryAdd(SchemaKey.Of(schema), schema.Id);
        }

        versions[record.Version] = new SchemaVersion(record.Subject, record.Version, schema.Id, record.Deleted);
        MaxId = Math.Max(MaxId, schema.Id);
        return true;
    }

    private void ForgetIfUnused(int id)
    {
        if (!_subjects.Values.Any(vs => vs.Values.Any(v => v.Id == id)) && _schemas.Remove(id, out var schema))
        {
            _idsBySchema.Remove(SchemaKey.Of(schema));
        }
    }

    public StoredSchema? SchemaById(int id)
    {
        lock (_gate)
        {
            return _schemas.GetValueOrDefault(id);
        }
    }

    /// <summary>Every stored schema of one type (Protobuf schemas are matched by their descriptor, not their text).</summary>
    public List<StoredSchema> SchemasOfType(string schemaType)
    {
        lock (_gate)
        {
            return [.. _schemas.Values.Where(s => s.SchemaType == schemaType)];
        }
    }

    public StoredSchema? SchemaByGuid(string guid)
    {
        lock (_gate)
        {
            return _schemas.Values.FirstOrDefault(s => string.Equals(s.Guid, guid, StringComparison.OrdinalIgnoreCase));
        }
    }

    /// <summary>The id already given to this exact schema (type, canonical text, references), in any subject.</summary>
    public int? IdOf(string schemaType, string canonical, IReadOnlyList<SchemaReference> references)
    {
        lock (_gate)
        {
            return _idsBySchema.TryGetValue(new SchemaKey(schemaType, canonical, References(references)), out var id) ? id : null;
        }
    }

    /// <summary>
    /// Texts of the schemas <paramref name="references"/> name, dependencies first and each once, or null with the
    /// reason when one is missing or they nest too deeply (a cycle written by another registry).
    /// </summary>
    public List<string>? ReferenceTexts(IReadOnlyList<SchemaReference> references, out string error) =>
        NamedReferences(references, out error)?.ConvertAll(r => r.Text);

    /// <summary>
    /// As <see cref="ReferenceTexts"/>, each with the name it is referenced by (a JSON Schema <c>$ref</c> or a
    /// Protobuf import names the text, where Avro names the types inside it).
    /// </summary>
    public List<(string Name, string Text)>? NamedReferences(IReadOnlyList<SchemaReference> references, out string error)
    {
        var texts = new List<(string Name, string Text)>();
        var seen = new HashSet<int>();
        string? problem = null;
        lock (_gate)
        {
            Visit(references, 0);
        }

        error = problem ?? "";
        return problem is null ? texts : null;

        void Visit(IReadOnlyList<SchemaReference> refs, int depth)
        {
            if (depth > MaxReferenceDepth)
            {
                problem = "references are nested too deeply (or form a cycle)";
                return;
            }

            foreach (var reference in refs)
            {
                var version = _subjects.TryGetValue(reference.Subject, out var versions)
                    ? versions.Values.LastOrDefault(v => reference.Version == -1 ? !v.Deleted : v.Version == reference.Version)
                    : null;
                if (version is null || !_schemas.TryGetValue(version.Id, out var schema))
                {
                    problem = $"reference '{reference.Name}' to subject '{reference.Subject}' version {reference.Version} does not exist";
                    return;
                }

                if (seen.Add(schema.Id))
                {
                    Visit(schema.References, depth + 1);
                    if (problem is not null)
                    {
                        return;
                    }

                    texts.Add((reference.Name, schema.Schema));
                }
            }
        }
    }

    /// <summary>
    /// The references with version -1 (latest) pinned to their subject's latest live version, the one
    /// <c>GET /subjects/{s}/versions/-1</c> answers, so that a registered schema keeps meaning what it meant when
    /// registered and <c>referencedby</c> finds it. Others, and -1 to a subject without live versions, stay as given.
    /// </summary>
    public IReadOnlyList<SchemaReference> PinLatest(IReadOnlyList<SchemaReference> references)
    {
        if (references.All(r => r.Version != -1))
        {
            return references;
        }

        lock (_gate)
        {
            return [.. references.Select(r =>
                r.Version == -1 && _subjects.TryGetValue(r.Subject, out var versions) && versions.Values.LastOrDefault(v => !v.Deleted) is { } latest
                    ? r with { Version = latest.Version }
                    : r)];
        }
    }

    /// <summary>How deep references may chain; deeper is treated as a cycle.</summary>
    public const int MaxReferenceDepth = 32;

    /// <summary>Subjects with at least one version (a live one unless <paramref name="includeDeleted"/>).</summary>
    public List<string> Subjects(bool includeDeleted)
    {
        lock (_gate)
        {
            return [.. _subjects.Where(s => s.Value.Values.Any(v => includeDeleted || !v.Deleted)).Select(s => s.Key).Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>Versions of a subject in ascending order, or null when the subject has none at all.</summary>
    public List<SchemaVersion>? Versions(string subject, bool includeDeleted)
    {
        lock (_gate)
        {
            return _subjects.TryGetValue(subject, out var versions)
                ? [.. versions.Values.Where(v => includeDeleted || !v.Deleted)]
                : null;
        }
    }

    /// <summary>Every version, in every subject, that uses this id.</summary>
    public List<SchemaVersion> VersionsUsing(int id)
    {
        lock (_gate)
        {
            return [.. _subjects.Values.SelectMany(vs => vs.Values).Where(v => v.Id == id).OrderBy(v => v.Subject, StringComparer.Ordinal).ThenBy(v => v.Version)];
        }
    }

    /// <summary>Ids of the schemas whose references point at this subject version.</summary>
    public List<int> ReferencedBy(string subject, int version)
    {
        lock (_gate)
        {
            var live = _subjects.Values.SelectMany(vs => vs.Values).Select(v => v.Id).ToHashSet();
            return [.. _schemas.Values
                .Where(s => live.Contains(s.Id) && s.References.Any(r => r.Subject == subject && r.Version == version))
                .Select(s => s.Id)
                .Order()];
        }
    }

    public CompatibilityLevel? SubjectLevel(string subject)
    {
        lock (_gate)
        {
            return _subjectLevels.TryGetValue(subject, out var level) ? level : null;
        }
    }

    public RegistryMode? SubjectMode(string subject)
    {
        lock (_gate)
        {
            return _subjectModes.TryGetValue(subject, out var mode) ? mode : null;
        }
    }

    private static void Set<T>(Dictionary<string, T> map, string subject, T? value)
        where T : struct
    {
        if (value is { } v)
        {
            map[subject] = v;
        }
        else
        {
            map.Remove(subject);
        }
    }

    private static bool SameSchema(StoredSchema a, StoredSchema b) => SchemaKey.Of(a) == SchemaKey.Of(b);

    private static string References(IReadOnlyList<SchemaReference> references) =>
        string.Join('\n', references.Select(r => $"{r.Name}\t{r.Subject}\t{r.Version}"));

    /// <summary>What makes two registrations the same schema (and so the same id).</summary>
    private readonly record struct SchemaKey(string SchemaType, string Schema, string References)
    {
        public static SchemaKey Of(StoredSchema s) => new(s.SchemaType, s.Schema, RegistryState.References(s.References));
    }
}
