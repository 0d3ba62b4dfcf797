using System.Collections.Concurrent;
using Streams.Registry.Compatibility;
using Streams.Registry.Model;
using Streams.Registry.Schemas;
using Streams.Registry.Storage;

namespace Streams.Registry;

/// <summary>
/// The registry's operations over <see cref="RegistryState"/>: reads answer from memory, writes append to
/// <c>_schemas</c> and return once the record has been read back. Every write (schemas, deletions, config and
/// mode) is serialized in this instance by one lock, <see cref="_writeLock"/>, and across instances by the log
/// itself (a record that lost a race is ignored by every reader and retried).
/// </summary>
internal sealed class SchemaRegistry(RegistryState state, SchemasLog log, bool readOnlyFollower)
{
    private const string Avro = "AVRO";
    private const int WriteAttempts = 3;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<int, object> _parsed = new();
    private readonly ConcurrentDictionary<int, string?> _protobufForms = new();

    public RegistryState State => state;

    public CompatibilityLevel GlobalLevel => state.GlobalLevel ?? CompatibilityLevel.Backward;

    public CompatibilityLevel LevelFor(string subject) => state.SubjectLevel(subject) ?? GlobalLevel;

    public RegistryMode GlobalMode => readOnlyFollower ? RegistryMode.ReadOnly : state.GlobalMode ?? RegistryMode.ReadWrite;

    public RegistryMode ModeFor(string subject) => readOnlyFollower ? RegistryMode.ReadOnly : state.SubjectMode(subject) ?? GlobalMode;

    // ---- schemas and subjects -------------------------------------------------------------------------------

    public async Task<VersionView> RegisterAsync(string subject, SchemaRequest request, bool normalize, CancellationToken cancellationToken)
    {
        var mode = EnsureWritable(subject);
        var prepared = Prepare(request, normalize);
        if (mode != RegistryMode.Import && FindInSubject(subject, prepared, includeDeleted: false) is { } existing)
        {
            // Re-registering a known schema writes nothing, so it needs no lock (serializers do this on every start).
            return existing;
        }

        prepared.EnsureValidAsNew();

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Again under the lock: a mode change may have been written while this request waited for it.
            mode = EnsureWritable(subject);
            if (mode == RegistryMode.Import && (request.Id is null || request.Version is null))
            {
                throw RegistryException.OperationNotPermitted("In IMPORT mode a registration must give both id and version.");
            }

            if (mode != RegistryMode.Import && (request.Id is not null || request.Version is not null))
            {
                throw RegistryException.OperationNotPermitted("An id or version can only be given in IMPORT mode.");
            }

            for (var attempt = 0; attempt < WriteAttempts; attempt++)
            {
                if (mode != RegistryMode.Import && FindInSubject(subject, prepared, includeDeleted: false) is { } raced)
                {
                    return raced;
                }

                var all = state.Versions(subject, includeDeleted: true) ?? [];
                if (mode != RegistryMode.Import)
                {
                    var problems = CheckCompatibility(LevelFor(subject), prepared, all.Where(v => !v.Deleted).ToList());
                    if (problems.Count > 0)
                    {
                        throw RegistryException.Incompatible(
                            $"Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: [{string.Join(", ", problems)}]");
                    }
                }

                var id = request.Id ?? (IdsOf(prepared) is [var known, ..] ? known : NextId());
                var version = request.Version ?? NextVersion(subject, all);
                // A schema already stored under this id (another form of the same Protobuf descriptor) is written as stored.
                var stored = request.Id is null && state.SchemaById(id) is { } existingSchema
                    ? existingSchema
                    : new StoredSchema(id, state.SchemaById(id)?.Guid ?? Guid.NewGuid().ToString(), prepared.SchemaType, prepared.Canonical, prepared.References);
                var record = new SchemaRecord(subject, version, stored, Deleted: false);
                if ((await log.AppendAsync([record], cancellationToken).ConfigureAwait(false))[0])
                {
                    return new VersionView(new SchemaVersion(subject, version, id, false), stored);
                }

                if (mode == RegistryMode.Import)
                {
                    throw RegistryException.OperationNotPermitted($"Id {id} or version {version} of '{subject}' is already taken by another schema.");
                }
            }

            throw RegistryException.Store("Another registry instance kept writing the same subject; retry.");
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public VersionView Lookup(string subject, SchemaRequest request, bool normalize, bool includeDeleted)
    {
        if (state.Versions(subject, includeDeleted) is not { Count: > 0 })
        {
            throw RegistryException.SubjectNotFound(subject);
        }

        var prepared = Prepare(request, normalize);

        // Not registered: a schema that could never have been registered says why, rather than only "not found".
        return FindInSubject(subject, prepared, includeDeleted) ?? throw (prepared.RuleProblem is { } problem ? RegistryException.InvalidSchema(problem) : RegistryException.SchemaNotFound());
    }

    public StoredSchema SchemaById(int id) =>
        state.SchemaById(id) ?? throw RegistryException.SchemaNotFound($"Schema {id} not found");

    public StoredSchema SchemaByGuid(string guid) =>
        state.SchemaByGuid(guid) ?? throw RegistryException.SchemaNotFound($"Schema {guid} not found");

    public List<SchemaVersion> VersionsUsing(int id, bool includeDeleted)
    {
        SchemaById(id);
        return [.. state.VersionsUsing(id).Where(v => includeDeleted || !v.Deleted)];
    }

    public List<int> Versions(string subject, bool includeDeleted) =>
        state.Versions(subject, includeDeleted) is { Count: > 0 } versions
            ? [.. versions.Select(v => v.Version)]
            : throw RegistryException.SubjectNotFound(subject);

    public VersionView GetVersion(string subject, string version, bool includeDeleted)
    {
        var number = ParseVersion(version);
        var versions = state.Versions(subject, includeDeleted: true);
        if (versions is null || (!includeDeleted && versions.All(v => v.Deleted)))
        {
            throw RegistryException.SubjectNotFound(subject);
        }

        var visible = versions.Where(v => includeDeleted || !v.Deleted).ToList();
        var found = number is null ? visible.LastOrDefault() : visible.FirstOrDefault(v => v.Version == number);
        return found is null
            ? throw RegistryException.VersionNotFound(subject, number ?? -1)
            : new VersionView(found, state.SchemaById(found.Id)!);
    }

    public List<int> ReferencedBy(string subject, string version)
    {
        var found = GetVersion(subject, version, includeDeleted: true);
        return state.ReferencedBy(subject, found.Version.Version);
    }

    public async Task<List<int>> DeleteSubjectAsync(string subject, bool permanent, CancellationToken cancellationToken)
    {
        EnsureWritable(subject);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Again under the lock, as for a registration: the mode may have changed while this request waited.
            EnsureWritable(subject);
            var all = state.Versions(subject, includeDeleted: true);
            if (all is not { Count: > 0 })
            {
                throw RegistryException.SubjectNotFound(subject);
            }

            var live = all.Where(v => !v.Deleted).ToList();
            if (permanent ? live.Count > 0 : live.Count == 0)
            {
                throw permanent ? RegistryException.SubjectNotSoftDeleted(subject) : RegistryException.SubjectSoftDeleted(subject);
            }

            var targets = permanent ? all : live;
            foreach (var v in targets)
            {
                EnsureNotReferenced(v);
            }

            await log.AppendAsync([.. targets.Select(v => Deletion(v, permanent))], cancellationToken).ConfigureAwait(false);
            return [.. targets.Select(v => v.Version)];
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<int> DeleteVersionAsync(string subject, string version, bool permanent, CancellationToken cancellationToken)
    {
        EnsureWritable(subject);
        var number = ParseVersion(version);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Again under the lock, as for a registration: the mode may have changed while this request waited.
            EnsureWritable(subject);
            var all = state.Versions(subject, includeDeleted: true);
            if (all is not { Count: > 0 })
            {
                throw RegistryException.SubjectNotFound(subject);
            }

            // "latest" is the latest live version for a soft delete, and the latest soft-deleted one for a hard delete.
            var target = number is { } n
                ? all.FirstOrDefault(v => v.Version == n)
                : all.LastOrDefault(v => v.Deleted == permanent);
            if (target is null)
            {
                throw RegistryException.VersionNotFound(subject, number ?? -1);
            }

            if (!permanent && target.Deleted)
            {
                throw RegistryException.VersionSoftDeleted(subject, target.Version);
            }

            if (permanent && !target.Deleted)
            {
                throw RegistryException.VersionNotSoftDeleted(subject, target.Version);
            }

            EnsureNotReferenced(target);
            await log.AppendAsync([Deletion(target, permanent)], cancellationToken).ConfigureAwait(false);
            return target.Version;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    // ---- compatibility ------------------------------------------------------------------------------------------

    /// <summary>Tests a schema against one version (or, with <paramref name="version"/> null, as a registration would).</summary>
    public List<string> TestCompatibility(string subject, string? version, SchemaRequest request, bool normalize)
    {
        var prepared = Prepare(request, normalize).EnsureValidAsNew();
        var level = LevelFor(subject);
        var live = state.Versions(subject, includeDeleted: false) ?? [];
        if (version is null)
        {
            return CheckCompatibility(level, prepared, live);
        }

        if (ParseVersion(version) is null && live.Count == 0)
        {
            // Nothing registered yet: any schema may become the first version.
            return [];
        }

        var against = GetVersion(subject, version, includeDeleted: false).Version;

        // One version only: the level gives the direction, transitivity has nothing more to compare.
        return CheckCompatibility(level, prepared, [against]);
    }

    private List<string> CheckCompatibility(CompatibilityLevel level, Prepared candidate, IReadOnlyList<SchemaVersion> previous)
    {
        if (level == CompatibilityLevel.None || previous.Count == 0)
        {
            return [];
        }

        // Another format cannot be compared rule by rule: a change of format is a change of every reader's input.
        var against = level.IsTransitive() ? previous : [previous[^1]];
        if (against.Select(v => state.SchemaById(v.Id)!.SchemaType).FirstOrDefault(t => t != candidate.SchemaType) is { } otherType)
        {
            return [$"{{errorType:'SCHEMA_TYPE_CHANGED', description:'the subject holds {otherType} schemas, the new one is {candidate.SchemaType}', path:''}}", $"{{compatibility: '{level.ToWireName()}'}}"];
        }

        try
        {
            return candidate.Parsed switch
            {
                JsonSchemaDocument json => CompatibilityChecker.Check(level, json, [.. previous.Select(v => (v.Version, (JsonSchemaDocument)ParsedById(v.Id)))],
                    (reader, writer) => JsonSchemaCompatibility.Check(reader, writer).Select(p => p.ToString())),
                ProtobufSchemaDocument proto => CompatibilityChecker.Check(level, proto, [.. previous.Select(v => (v.Version, (ProtobufSchemaDocument)ParsedById(v.Id)))],
                    (reader, writer) => ProtobufCompatibility.Check(reader, writer).Select(p => p.ToString())),
                _ => CompatibilityChecker.Check(level, (global::Avro.Schema)candidate.Parsed, [.. previous.Select(v => (v.Version, (global::Avro.Schema)ParsedById(v.Id)))]),
            };
        }
        catch (CompatibilityLimitException ex)
        {
            // Refused as a schema problem rather than answered "compatible" or "incompatible": neither was established.
            throw RegistryException.InvalidSchema($"Invalid schema: compatibility cannot be checked: {ex.Message}.");
        }
    }

    // ---- config and mode ----------------------------------------------------------------------------------------

    public async Task SetLevelAsync(string? subject, CompatibilityLevel? level, CancellationToken cancellationToken)
    {
        if (readOnlyFollower)
        {
            throw FollowerRefusal();
        }

        // Under the write lock so a registration's compatibility check and its append see one level, not two.
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await log.AppendAsync([new ConfigRecord(subject, level)], cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task SetModeAsync(string? subject, RegistryMode? mode, bool force, CancellationToken cancellationToken)
    {
        if (readOnlyFollower)
        {
            throw FollowerRefusal();
        }

        // Under the write lock: the "no subjects yet" check for IMPORT must still hold when the mode is written,
        // and a registration must not write under a mode that changed while it was checking.
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (mode == RegistryMode.Import && !force && (subject is null ? state.Subjects(includeDeleted: true).Count > 0 : state.Versions(subject, true) is { Count: > 0 }))
            {
                throw RegistryException.OperationNotPermitted("Cannot import since found existing subjects; use force=true to switch to IMPORT anyway.");
            }

            await log.AppendAsync([new ModeRecord(subject, mode)], cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /// <summary>"latest" and -1 are null; anything else must be 1..2^31-1.</summary>
    public static int? ParseVersion(string version)
    {
        if (version == "latest")
        {
            return null;
        }

        return int.TryParse(version, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n) && (n >= 1 || n == -1)
            ? (n == -1 ? null : n)
            : throw RegistryException.InvalidVersion(version);
    }

    // IMPORT may write ids and versions up to int.MaxValue; counting on from there must refuse, not wrap negative.
    private int NextId() => state.MaxId < int.MaxValue
        ? state.MaxId + 1
        : throw RegistryException.OperationNotPermitted(
            $"No schema id is left: the highest id in use is {int.MaxValue} (imported). Ids are never reused; register this schema in IMPORT mode with a free id.");

    private static int NextVersion(string subject, List<SchemaVersion> all) => all.Count == 0 ? 1
        : all[^1].Version < int.MaxValue ? all[^1].Version + 1
        : throw new RegistryException(422, 42202,
            $"Subject '{subject}' has reached the highest version {int.MaxValue}; no further version can be registered. Delete the subject or register under another one.");

    private RegistryMode EnsureWritable(string subject)
    {
        if (readOnlyFollower)
        {
            throw FollowerRefusal();
        }

        var mode = ModeFor(subject);
        return mode == RegistryMode.ReadOnly
            ? throw RegistryException.OperationNotPermitted($"Subject {subject} is in read-only mode")
            : mode;
    }

    private static RegistryException FollowerRefusal() =>
        RegistryException.OperationNotPermitted("This registry instance is a read-only follower of _schemas; send writes to the primary instance.");

    private void EnsureNotReferenced(SchemaVersion version)
    {
        var referencing = state.ReferencedBy(version.Subject, version.Version);
        if (referencing.Count > 0)
        {
            throw RegistryException.ReferenceExists(
                $"One or more references exist to the schema {{subject={version.Subject}, version={version.Version}}}: ids [{string.Join(", ", referencing)}]");
        }
    }

    private SchemaRecord Deletion(SchemaVersion version, bool permanent) =>
        new(version.Subject, version.Version, permanent ? null : state.SchemaById(version.Id), Deleted: true);

    private VersionView? FindInSubject(string subject, Prepared prepared, bool includeDeleted)
    {
        var ids = IdsOf(prepared);
        if (ids.Count == 0)
        {
            return null;
        }

        var match = state.Versions(subject, includeDeleted)?.LastOrDefault(v => ids.Contains(v.Id));
        return match is null ? null : new VersionView(match, state.SchemaById(match.Id)!);
    }

    /// <summary>
    /// Ids of the stored schemas that are this one, the same text first. A Protobuf schema is also the one whose
    /// descriptor reads the same, as Confluent compares canonical forms: .proto text and the serialized
    /// <c>FileDescriptorProto</c> its serializers send, or another layout or comments, are one schema and one id.
    /// </summary>
    private List<int> IdsOf(Prepared prepared)
    {
        var ids = new List<int>();
        if (state.IdOf(prepared.SchemaType, prepared.Canonical, prepared.References) is { } exact)
        {
            ids.Add(exact);
        }

        if (prepared.Parsed is ProtobufSchemaDocument document)
        {
            var form = ProtoPrinter.Print(document.File);
            foreach (var stored in state.SchemasOfType(ProtobufSchemas.Type))
            {
                if (stored.Id != ids.FirstOrDefault(-1) && stored.References.SequenceEqual(prepared.References) && ProtobufForm(stored.Id) == form)
                {
                    ids.Add(stored.Id);
                }
            }
        }

        return ids;
    }

    /// <summary>A stored Protobuf schema written back from its descriptor, once per id (stored schemas never change).</summary>
    private string? ProtobufForm(int id) => _protobufForms.GetOrAdd(id, i =>
    {
        try
        {
            return ProtoPrinter.Print(((ProtobufSchemaDocument)ParsedById(i)).File);
        }
        catch (InvalidSchemaException)
        {
            return null; // written by another registry and no longer parses here: it matches nothing
        }
    });

    private Prepared Prepare(SchemaRequest request, bool normalize)
    {
        var type = request.SchemaType?.ToUpperInvariant() ?? Avro;
        if (type is not (Avro or JsonSchemas.Type or ProtobufSchemas.Type))
        {
            throw RegistryException.InvalidSchema($"Unknown schema type '{request.SchemaType}'; AVRO, JSON and PROTOBUF are supported.");
        }

        if (string.IsNullOrWhiteSpace(request.Schema))
        {
            throw RegistryException.InvalidSchema("Invalid schema: the schema is empty.");
        }

        var references = state.PinLatest(request.References);
        if (type == JsonSchemas.Type)
        {
            try
            {
                var document = JsonSchemas.Parse(request.Schema, ResolveNamedReferences(references));
                return new Prepared(JsonSchemas.Type, JsonSchemas.Canonical(document, normalize), document, references, null);
            }
            catch (InvalidSchemaException ex)
            {
                throw RegistryException.InvalidSchema(ex.Message);
            }
        }

        if (type == ProtobufSchemas.Type)
        {
            try
            {
                var document = ProtobufSchemas.Parse(request.Schema, ResolveNamedReferences(references));
                return new Prepared(ProtobufSchemas.Type, ProtobufSchemas.Canonical(request.Schema, document, normalize), document, references, null);
            }
            catch (InvalidSchemaException ex)
            {
                throw RegistryException.InvalidSchema(ex.Message);
            }
        }

        var referenceTexts = ResolveReferences(references);
        try
        {
            var parsed = AvroSchemas.ParseRequest(request.Schema, referenceTexts, out var ruleProblem);
            var canonical = AvroSchemas.Canonical(request.Schema, parsed, normalize);
            return new Prepared(Avro, canonical, parsed, references, ruleProblem);
        }
        catch (InvalidSchemaException ex)
        {
            throw RegistryException.InvalidSchema(ex.Message);
        }
    }

    /// <summary>Texts of the referenced schemas, dependencies first, each once.</summary>
    private List<string> ResolveReferences(IReadOnlyList<SchemaReference> references) =>
        state.ReferenceTexts(references, out var error) ?? throw RegistryException.InvalidSchema($"Invalid schema: {error}.");

    private List<(string Name, string Text)> ResolveNamedReferences(IReadOnlyList<SchemaReference> references) =>
        state.NamedReferences(references, out var error) ?? throw RegistryException.InvalidSchema($"Invalid schema: {error}.");

    /// <summary>A stored schema, parsed once: an Avro <c>Schema</c>, a <see cref="JsonSchemaDocument"/> or a <see cref="ProtobufSchemaDocument"/>.</summary>
    private object ParsedById(int id) => _parsed.GetOrAdd(id, i =>
    {
        var stored = state.SchemaById(i) ?? throw RegistryException.SchemaNotFound($"Schema {i} not found");
        return stored.SchemaType switch
        {
            JsonSchemas.Type => JsonSchemas.Parse(stored.Schema, ResolveNamedReferences(stored.References)),
            ProtobufSchemas.Type => ProtobufSchemas.Parse(stored.Schema, ResolveNamedReferences(stored.References)),
            _ => AvroSchemas.Parse(stored.Schema, ResolveReferences(stored.References)),
        };
    });

    /// <summary>
    /// A stored schema in the format a reader asks for: <c>serialized</c> gives a Protobuf schema as a base64
    /// <c>FileDescriptorProto</c> (what Confluent's Protobuf deserializers ask for); anything else, as stored.
    /// </summary>
    public StoredSchema InFormat(StoredSchema schema, string? format) =>
        format == "serialized" && schema.SchemaType == ProtobufSchemas.Type
            ? schema with { Schema = ProtobufSchemas.Serialized((ProtobufSchemaDocument)ParsedById(schema.Id)) }
            : schema;

    /// <summary>As <see cref="InFormat(StoredSchema, string?)"/>, for a subject version.</summary>
    public VersionView InFormat(VersionView view, string? format) => view with { Schema = InFormat(view.Schema, format) };

    // Parsed: an Avro Schema, a JsonSchemaDocument or a ProtobufSchemaDocument. RuleProblem: the Avro rule a new schema would break (see
    // AvroSchemas.ParseRequest), or null.
    private sealed record Prepared(string SchemaType, string Canonical, object Parsed, IReadOnlyList<SchemaReference> References, string? RuleProblem)
    {
        /// <summary>Throws 42201 when this schema may not be registered (or tested) as a new one.</summary>
        public Prepared EnsureValidAsNew() => RuleProblem is null ? this : throw RegistryException.InvalidSchema(RuleProblem);
    }
}
