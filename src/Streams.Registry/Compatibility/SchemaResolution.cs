using System.Runtime.CompilerServices;
using Avro;

namespace Streams.Registry.Compatibility;

/// <summary>
/// The Avro specification's schema-resolution rules, as a check: can a reader with schema R decode every datum
/// written with schema W? Each rule of the specification's "Schema Resolution" section is one branch below.
/// </summary>
internal sealed class SchemaResolution
{
    /// <summary>Nesting deeper than this (records within records, by name, ...) is refused rather than risking the stack.</summary>
    public const int MaxDepth = 256;

    /// <summary>Comparisons one check may make; with memoized record pairs real schemas need a tiny fraction of it.</summary>
    public const int MaxSteps = 2_000_000;

    private readonly Context _context;
    private readonly bool _probe;
    private readonly List<Incompatibility> _problems = [];
    private int _depth;

    private SchemaResolution(Context context, bool probe)
    {
        _context = context;
        _probe = probe;
    }

    /// <summary>
    /// Every reason <paramref name="reader"/> cannot read <paramref name="writer"/>'s data; empty when it can.
    /// Throws <see cref="CompatibilityLimitException"/> when the schemas nest deeper than <see cref="MaxDepth"/> or
    /// need more than <see cref="MaxSteps"/> comparisons.
    /// </summary>
    public static IReadOnlyList<Incompatibility> Check(Schema reader, Schema writer)
    {
        var resolution = new SchemaResolution(new Context(), probe: false);
        resolution.Resolve(reader, writer, "");
        return resolution._problems;
    }

    private bool Resolve(Schema reader, Schema writer, string path)
    {
        if (++_context.Steps > MaxSteps)
        {
            throw new CompatibilityLimitException($"the schemas are too large to compare (more than {MaxSteps} comparisons)");
        }

        if (++_depth > MaxDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new CompatibilityLimitException($"the schemas nest more than {MaxDepth} levels deep");
        }

        try
        {
            var before = _problems.Count;
            ResolveInto(reader, writer, path);
            return _problems.Count == before;
        }
        finally
        {
            _depth--;
        }
    }

    private void ResolveInto(Schema reader, Schema writer, string path)
    {
        // "A logical type is always serialized using its underlying Avro type": resolution sees the underlying type,
        // except that two decimals match only "if their scales and precisions match".
        if (reader is LogicalSchema readerLogical && writer is LogicalSchema writerLogical
            && readerLogical.LogicalTypeName == "decimal" && writerLogical.LogicalTypeName == "decimal")
        {
            var (rp, rs) = (readerLogical.GetProperty("precision"), readerLogical.GetProperty("scale") ?? "0");
            var (wp, ws) = (writerLogical.GetProperty("precision"), writerLogical.GetProperty("scale") ?? "0");
            if (rp != wp || rs != ws)
            {
                Add("TYPE_MISMATCH", path, $"reader decimal({rp},{rs}) does not match writer decimal({wp},{ws}): decimals match only with equal precision and scale");
                return;
            }
        }

        reader = Underlying(reader);
        writer = Underlying(writer);

        // Unions first: "if the writer's is a union, but the reader's is not / both are unions": every branch the
        // writer may have used must resolve against the reader.
        if (writer is UnionSchema writerUnion)
        {
            for (var i = 0; i < writerUnion.Schemas.Count; i++)
            {
                var branch = writerUnion.Schemas[i];
                if (reader is UnionSchema readerUnionForBranch)
                {
                    if (!readerUnionForBranch.Schemas.Any(r => Matches(r, branch)))
                    {
                        Add("MISSING_UNION_BRANCH", path, $"the reader's union has no branch for the writer's {Describe(branch)}");
                    }
                }
                else
                {
                    Resolve(reader, branch, path);
                }
            }

            return;
        }

        // "if the reader's is a union, but writer's is not": some branch of the reader must match the writer.
        if (reader is UnionSchema readerUnion)
        {
            if (!readerUnion.Schemas.Any(r => Matches(r, writer)))
            {
                Add("MISSING_UNION_BRANCH", path, $"the reader's union has no branch for the writer's {Describe(writer)}");
            }

            return;
        }

        if (reader.Tag == writer.Tag)
        {
            ResolveSameKind(reader, writer, path);
            return;
        }

        // Promotions: "int is promotable to long, float, or double; long to float or double; float to double;
        // string to bytes; bytes to string".
        if (IsPromotable(writer.Tag, reader.Tag))
        {
            return;
        }

        Add("TYPE_MISMATCH", path, $"the reader's {Describe(reader)} cannot read the writer's {Describe(writer)}");
    }

    private void ResolveSameKind(Schema reader, Schema writer, string path)
    {
        switch (reader)
        {
            case RecordSchema readerRecord:
                ResolveRecord(readerRecord, (RecordSchema)writer, path);
                break;
            case EnumSchema readerEnum:
                ResolveEnum(readerEnum, (EnumSchema)writer, path);
                break;
            case FixedSchema readerFixed:
                var writerFixed = (FixedSchema)writer;
                if (NamesMatch(readerFixed, writerFixed, path) && readerFixed.Size != writerFixed.Size)
                {
                    Add("FIXED_SIZE_MISMATCH", path, $"the reader's fixed {readerFixed.Name} has size {readerFixed.Size}, the writer's {writerFixed.Size}");
                }

                break;
            case ArraySchema readerArray:
                // "both schemas are arrays: the item types match".
                Resolve(readerArray.ItemSchema, ((ArraySchema)writer).ItemSchema, path + "/items");
                break;
            case MapSchema readerMap:
                // "both schemas are maps: the value types match".
                Resolve(readerMap.ValueSchema, ((MapSchema)writer).ValueSchema, path + "/values");
                break;
            default:
                // Same primitive type.
                break;
        }
    }

    private void ResolveRecord(RecordSchema reader, RecordSchema writer, string path)
    {
        if (!NamesMatch(reader, writer, path))
        {
            return;
        }

        // A record pair is compared once per check: the same named types used in many places (or recursively) would
        // otherwise be compared once per path, which grows exponentially with nesting. A pair being compared is
        // assumed to match (recursion; its other fields decide). The first full comparison reports the problems;
        // later meetings reuse its verdict (union branch probes need it to pick a branch).
        var pair = (reader, writer);
        if (_context.InProgress.Contains(pair))
        {
            return;
        }

        if (_context.Verdicts.TryGetValue(pair, out var compatible) && (_probe || _context.Reported.Contains(pair)))
        {
            if (!compatible && _probe)
            {
                Add("TYPE_MISMATCH", path, $"the reader's {reader.Fullname} cannot read the writer's {writer.Fullname}");
            }

            return;
        }

        if (!_probe)
        {
            _context.Reported.Add(pair);
        }

        var before = _problems.Count;
        _context.InProgress.Add(pair);
        foreach (var field in reader.Fields)
        {
            var fieldPath = $"{path}/fields/{field.Name}";

            // "the ordering of fields may be different: fields are matched by name"; a reader field's aliases
            // name the writer's field it was renamed from.
            var writerField = writer.Fields.FirstOrDefault(w => w.Name == field.Name)
                ?? writer.Fields.FirstOrDefault(w => field.Aliases?.Contains(w.Name) == true);
            if (writerField is null)
            {
                // "if the reader's record schema has a field that contains a default value, and writer's schema does
                // not have a field with the same name, then the reader should use the default value from its field";
                // without a default it is an error.
                if (field.DefaultValue is null)
                {
                    Add("READER_FIELD_MISSING_DEFAULT_VALUE", fieldPath, $"the reader's field '{field.Name}' has no default and the writer has no such field");
                }

                continue;
            }

            Resolve(field.Schema, writerField.Schema, fieldPath);
        }

        // "if the writer's record contains a field with a name not present in the reader's record, the writer's value
        // for that field is ignored": nothing to check.
        _context.InProgress.Remove(pair);
        _context.Verdicts[pair] = _problems.Count == before;
    }

    private void ResolveEnum(EnumSchema reader, EnumSchema writer, string path)
    {
        if (!NamesMatch(reader, writer, path))
        {
            return;
        }

        // "if the writer's symbol is not present in the reader's enum and the reader has a default value, then that
        // value is used, otherwise an error is signalled".
        var missing = writer.Symbols.Where(s => !reader.Symbols.Contains(s)).ToList();
        if (missing.Count > 0 && reader.Default is null)
        {
            Add("MISSING_ENUM_SYMBOLS", path, $"the reader's enum {reader.Name} lacks the writer's symbols [{string.Join(", ", missing)}] and has no default");
        }
    }

    // "both schemas are records/enums/fixed with the same (unqualified) name"; the reader's aliases may name the writer.
    private bool NamesMatch(NamedSchema reader, NamedSchema writer, string path)
    {
        if (SameName(reader, writer))
        {
            return true;
        }

        Add("NAME_MISMATCH", path, $"the reader's {reader.Fullname} and the writer's {writer.Fullname} have different names and no alias joins them");
        return false;
    }

    private static bool SameName(NamedSchema reader, NamedSchema writer) =>
        reader.Name == writer.Name || NamedAliases.Of(reader).Contains(writer.Fullname);

    /// <summary>Whether a union branch is the one a reader would pick for the writer's type, and it resolves.</summary>
    private bool Matches(Schema readerBranch, Schema writer)
    {
        // A probe shares the check's context (pairs in progress, verdicts, step budget) but not its problem list.
        var probe = new SchemaResolution(_context, probe: true) { _depth = _depth };
        return probe.Resolve(readerBranch, writer, "");
    }

    private static bool IsPromotable(Schema.Type writer, Schema.Type reader) => (writer, reader) switch
    {
        (Schema.Type.Int, Schema.Type.Long or Schema.Type.Float or Schema.Type.Double) => true,
        (Schema.Type.Long, Schema.Type.Float or Schema.Type.Double) => true,
        (Schema.Type.Float, Schema.Type.Double) => true,
        (Schema.Type.String, Schema.Type.Bytes) => true,
        (Schema.Type.Bytes, Schema.Type.String) => true,
        _ => false,
    };

    private static Schema Underlying(Schema schema) => schema is LogicalSchema logical ? logical.BaseSchema : schema;

    private static string Describe(Schema schema) => Underlying(schema) switch
    {
        NamedSchema named => $"{named.Tag.ToString().ToLowerInvariant()} {named.Fullname}",
        var s => s.Tag.ToString().ToLowerInvariant(),
    };

    /// <summary>What one check shares between the main comparison and its union-branch probes.</summary>
    private sealed class Context
    {
        public HashSet<(Schema Reader, Schema Writer)> InProgress { get; } = new(PairComparer.Instance);

        /// <summary>Record pairs fully compared, and whether they matched.</summary>
        public Dictionary<(Schema Reader, Schema Writer), bool> Verdicts { get; } = new(PairComparer.Instance);

        /// <summary>Record pairs the main comparison has reported on (each is reported once, at its first path).</summary>
        public HashSet<(Schema Reader, Schema Writer)> Reported { get; } = new(PairComparer.Instance);

        public int Steps { get; set; }
    }

    // Schema.Equals compares structurally (and recursively): identity is both correct here, since one parse gives one
    // object per named type, and cheap.
    private sealed class PairComparer : IEqualityComparer<(Schema Reader, Schema Writer)>
    {
        public static readonly PairComparer Instance = new();

        public bool Equals((Schema Reader, Schema Writer) x, (Schema Reader, Schema Writer) y) =>
            ReferenceEquals(x.Reader, y.Reader) && ReferenceEquals(x.Writer, y.Writer);

        public int GetHashCode((Schema Reader, Schema Writer) pair) =>
            HashCode.Combine(RuntimeHelpers.GetHashCode(pair.Reader), RuntimeHelpers.GetHashCode(pair.Writer));
    }

    private void Add(string kind, string path, string description) => _problems.Add(new Incompatibility(kind, path.Length == 0 ? "/" : path, description));
}

/// <summary>The schemas are too deep or too large to compare within the check's bounds.</summary>
internal sealed class CompatibilityLimitException(string message) : Exception(message);
