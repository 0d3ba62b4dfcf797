using System.Text.Json.Nodes;
using Streams.Registry.Compatibility;
using Streams.Registry.Model;
using Streams.Registry.Schemas;
using Streams.Registry.Tests.Support;
using static Streams.Registry.Tests.Support.RegistryHttp;

namespace Streams.Registry.Tests;

/// <summary>
/// Compatibility checks terminate, in bounded time and memory, on schemas built to defeat a naive walk: named types
/// reused along many paths (a naive walk is exponential in the nesting), recursive types, and chains deeper than the
/// checker's cap, which are refused with a clear error instead of overflowing the stack.
/// </summary>
public sealed class DeepSchemaCompatibilityTests(SharedRegistry shared) : IClassFixture<SharedRegistry>
{
    // 3 paths per level: a naive walk of 40 levels would compare the bottom record 3^40 times.
    private const int Levels = 40;
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Named_types_reused_along_exponentially_many_paths_are_compared_once_per_pair()
    {
        var problems = await CheckAsync(CompatibilityLevel.FullTransitive, Dag(Levels, evolved: true), Dag(Levels, evolved: false));
        Assert.Empty(problems);
    }

    [Fact]
    public async Task An_incompatible_change_at_the_bottom_of_a_shared_type_is_reported_once_not_once_per_path()
    {
        var problems = await CheckAsync(CompatibilityLevel.Backward, Dag(Levels, evolved: false, bottomType: "string"), Dag(Levels, evolved: false));
        Assert.NotEmpty(problems);
        // At most one problem per top-level branch (each depends on L0), where a naive walk would repeat it per path.
        Assert.True(problems.Count <= Levels + 2, $"{problems.Count} problems");
        Assert.Contains(problems, p => p.Contains("deep.L0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Recursive_types_with_several_self_references_terminate_and_are_judged_by_their_other_fields()
    {
        const string tree = """{"type":"record","name":"Tree","fields":[{"name":"value","type":"int"},{"name":"left","type":["null","Tree"],"default":null},{"name":"right","type":["null","Tree"],"default":null},{"name":"children","type":{"type":"array","items":"Tree"},"default":[]},{"name":"byName","type":{"type":"map","values":["null","Tree"]},"default":{}}]}""";
        var evolved = tree.Replace("""{"name":"value","type":"int"}""", """{"name":"value","type":"long"},{"name":"label","type":"string","default":""}""", StringComparison.Ordinal);
        var broken = tree.Replace("""{"name":"value","type":"int"}""", """{"name":"value","type":"string"}""", StringComparison.Ordinal);
        Assert.Empty(await CheckAsync(CompatibilityLevel.Backward, evolved, tree));
        Assert.NotEmpty(await CheckAsync(CompatibilityLevel.Backward, broken, tree));
    }

    [Fact]
    public void A_chain_of_records_deeper_than_the_cap_is_refused_instead_of_recursing_without_bound()
    {
        // Each link is its own small text (as schema references are), so the chain is deep while no JSON text is.
        var reader = Chain(SchemaResolution.MaxDepth + 50, "\"int\"");
        var writer = Chain(SchemaResolution.MaxDepth + 50, "\"long\"");
        var ex = Assert.Throws<CompatibilityLimitException>(() => SchemaResolution.Check(reader, writer));
        Assert.Contains("deep", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Renamed_records_in_a_long_chain_are_matched_by_alias_without_writing_the_chain_out()
    {
        // Aliases join the renamed chain to the old one link by link; a chain within the cap is compatible...
        Assert.Empty(SchemaResolution.Check(Chain(100, "\"long\"", prefix: "D"), Chain(100, "\"int\"")));

        // ...and one beyond it is refused like any other too-deep pair, not by overflowing the stack.
        Assert.Throws<CompatibilityLimitException>(() => SchemaResolution.Check(Chain(5000, "\"long\"", prefix: "D"), Chain(5000, "\"int\"")));
    }

    [Fact]
    public async Task Over_http_a_deeply_shared_schema_registers_and_its_evolution_is_checked_in_both_directions()
    {
        using var http = shared.Server.Http();
        var subject = TestSchemas.Subject("deep");
        Assert.Equal(200, (await PutAsync(http, $"/config/{subject}", Body(new JsonObject { ["compatibility"] = "FULL_TRANSITIVE" }))).Status);
        Assert.Equal(200, (await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody(Dag(Levels, evolved: false)))).Status);

        var compatible = await PostAsync(http, $"/compatibility/subjects/{subject}/versions/latest", SchemaBody(Dag(Levels, evolved: true))).WaitAsync(Generous);
        Assert.Equal(true, (bool?)compatible.Body!["is_compatible"]);
        var incompatible = await PostAsync(http, $"/compatibility/subjects/{subject}/versions/latest?verbose=true", SchemaBody(Dag(Levels, evolved: false, bottomType: "string"))).WaitAsync(Generous);
        Assert.Equal(false, (bool?)incompatible.Body!["is_compatible"]);
        Assert.Equal(200, (await PostAsync(http, $"/subjects/{subject}/versions", SchemaBody(Dag(Levels, evolved: true))).WaitAsync(Generous)).Status);
    }

    [Fact]
    public async Task A_schema_reaching_a_chain_of_records_deeper_than_the_cap_through_a_reference_is_42201_even_when_normalized()
    {
        using var http = shared.Server.Http();
        var (chainSubject, topSubject) = (TestSchemas.Subject("chain"), TestSchemas.Subject("top"));
        const int length = SchemaRules.MaxDepth + 100;

        // One flat text (a union, each record defined before it is used), so no JSON nesting limit applies.
        var chain = Enumerable.Range(0, length).Select(i => i == 0
            ? """{"type":"record","name":"K0","fields":[{"name":"v","type":"int"}]}"""
            : $$"""{"type":"record","name":"K{{i}}","fields":[{"name":"next","type":"K{{i - 1}}"}]}""");
        Assert.Equal(200, (await PostAsync(http, $"/subjects/{chainSubject}/versions", SchemaBody($"[{string.Join(",", chain)}]"))).Status);

        var top = new JsonObject
        {
            ["schema"] = $$"""{"type":"record","name":"Top","fields":[{"name":"next","type":"K{{length - 1}}"}]}""",
            ["references"] = new JsonArray(new JsonObject { ["name"] = $"K{length - 1}", ["subject"] = chainSubject, ["version"] = 1 }),
        };
        var refused = await PostAsync(http, $"/subjects/{topSubject}/versions?normalize=true", Body(top));
        AssertError(refused, 422, 42201);
        Assert.Contains("deep", (string)refused.Body!["message"]!, StringComparison.Ordinal);
        Assert.Equal(200, (await GetAsync(http, "/subjects")).Status);
    }

    [Fact]
    public async Task Over_http_a_compatibility_check_deeper_than_the_checker_cap_is_42201_with_a_message()
    {
        using var http = shared.Server.Http();
        var (chainSubject, topSubject) = (TestSchemas.Subject("chain"), TestSchemas.Subject("top"));
        const int length = SchemaResolution.MaxDepth + 20;
        var chain = Enumerable.Range(0, length).Select(i => i == 0
            ? """{"type":"record","name":"K0","fields":[{"name":"v","type":"int"}]}"""
            : $$"""{"type":"record","name":"K{{i}}","fields":[{"name":"next","type":"K{{i - 1}}"}]}""");
        Assert.Equal(200, (await PostAsync(http, $"/subjects/{chainSubject}/versions", SchemaBody($"[{string.Join(",", chain)}]"))).Status);

        JsonObject Top(string extraField) => new()
        {
            ["schema"] = $$"""{"type":"record","name":"Top","fields":[{"name":"next","type":"K{{length - 1}}"}{{extraField}}]}""",
            ["references"] = new JsonArray(new JsonObject { ["name"] = $"K{length - 1}", ["subject"] = chainSubject, ["version"] = 1 }),
        };
        Assert.Equal(200, (await PostAsync(http, $"/subjects/{topSubject}/versions", Body(Top("")))).Status);

        var refused = await PostAsync(http, $"/subjects/{topSubject}/versions", Body(Top(""",{"name":"added","type":"int","default":0}"""))).WaitAsync(Generous);
        AssertError(refused, 422, 42201);
        Assert.Contains("compatibility cannot be checked", (string)refused.Body!["message"]!, StringComparison.Ordinal);
        Assert.Equal("[1]", (await GetAsync(http, $"/subjects/{topSubject}/versions")).Body!.ToJsonString());
    }

    private static Task<List<string>> CheckAsync(CompatibilityLevel level, string candidate, string previous) =>
        Task.Run(() => CompatibilityChecker.Check(level, AvroSchemas.ParseNew(candidate, []), [(1, AvroSchemas.ParseNew(previous, []))])).WaitAsync(Generous);

    /// <summary>
    /// A top-level union of records L0..Ln where every L(i) uses L(i-1) three times (directly, in a union and in an
    /// array); evolved adds a defaulted field to each (compatible both ways).
    /// </summary>
    private static string Dag(int levels, bool evolved, string bottomType = "int")
    {
        var records = new List<string>
        {
            $$"""{"type":"record","name":"L0","namespace":"deep","fields":[{"name":"a","type":"{{bottomType}}"}]}""",
        };
        for (var i = 1; i <= levels; i++)
        {
            var extra = evolved ? $$""",{"name":"added{{i}}","type":["null","string"],"default":null}""" : "";
            records.Add($$"""{"type":"record","name":"L{{i}}","namespace":"deep","fields":[{"name":"x","type":"L{{i - 1}}"},{"name":"y","type":["null","L{{i - 1}}"],"default":null},{"name":"z","type":{"type":"array","items":"L{{i - 1}}"},"default":[]}{{extra}}]}""");
        }

        return $"[{string.Join(",", records)}]";
    }

    /// <summary>
    /// {prefix}{n} has a field next: {prefix}{n-1}, down to {prefix}0 with one field of <paramref name="bottom"/>; each
    /// link parsed from its own text. With another prefix than C, each record has the alias C{i} (a rename).
    /// </summary>
    private static Avro.Schema Chain(int length, string bottom, string prefix = "C")
    {
        string Aliases(int i) => prefix == "C" ? "" : $$""","aliases":["C{{i}}"]""";
        var links = new List<string> { $$"""{"type":"record","name":"{{prefix}}0"{{Aliases(0)}},"fields":[{"name":"v","type":{{bottom}}}]}""" };
        for (var i = 1; i < length; i++)
        {
            links.Add($$"""{"type":"record","name":"{{prefix}}{{i}}"{{Aliases(i)}},"fields":[{"name":"next","type":"{{prefix}}{{i - 1}}"}]}""");
        }

        return AvroSchemas.Parse($$"""{"type":"record","name":"Top","fields":[{"name":"next","type":"{{prefix}}{{length - 1}}"}]}""", links);
    }
}
