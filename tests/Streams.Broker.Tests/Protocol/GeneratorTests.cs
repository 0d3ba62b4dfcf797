using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Streams.Broker.Protocol.Generator;

namespace Streams.Broker.Tests.Protocol;

/// <summary>The generator itself: what it makes of a definition, and that a broken one fails the build with a reason.</summary>
public class GeneratorTests
{
    private const string Valid = """
        {
          "apiKey": 99, "name": "Sample", "about": "A test API.", "validVersions": "0-2", "flexibleVersions": "2+",
          "request": { "fields": [
            {"name": "Name", "type": "string", "versions": "0+", "entityType": "topicName", "ignorable": true},
            {"name": "Extra", "type": "int32", "versions": "1+", "default": "-1"},
            {"name": "Items", "type": "[]Item", "versions": "0+", "nullableVersions": "1+", "fields": [
              {"name": "Id", "type": "uuid", "versions": "0+"}
            ]},
            {"name": "Hint", "type": "string", "versions": "2+", "taggedVersions": "2+", "tag": 0, "nullableVersions": "2+", "default": "null"}
          ]},
          "response": { "fields": [ {"name": "ErrorCode", "type": "int16", "versions": "0+"} ]}
        }
        """;

    [Fact]
    public void A_definition_becomes_request_and_response_classes_with_nested_structs()
    {
        var (sources, diagnostics) = Run(("Sample.json", Valid));

        Assert.Empty(diagnostics);
        var source = Assert.Single(sources);
        Assert.Contains("internal sealed partial class SampleRequest", source);
        Assert.Contains("internal sealed partial class SampleResponse", source);
        Assert.Contains("public sealed partial class Item", source);
        Assert.Contains("public int Extra { get; set; } = -1;", source);
        Assert.Contains("global::System.Collections.Generic.List<SampleRequest.Item>? Items", source);
        Assert.Contains("public global::Streams.Broker.Protocol.ErrorCode ErrorCode", source);
        Assert.Contains("case 0 when", source, StringComparison.Ordinal); // the tagged Hint is read from the tag section
        Assert.Contains("reader.Skip(size)", source, StringComparison.Ordinal); // and unknown tags are skipped
    }

    [Theory]
    [InlineData("\"validVersions\": \"0-2\"", "\"validVersions\": \"0+\"", "closed range")]
    [InlineData("\"type\": \"uuid\"", "\"type\": \"uuid4\"", "neither a primitive nor a struct")]
    [InlineData("\"type\": \"int32\", \"versions\": \"1+\"", "\"type\": \"int32\", \"versions\": \"1+\", \"nullableVersions\": \"1+\"", "can be nullable")]
    [InlineData("\"tag\": 0,", "", "go together")]
    [InlineData("\"name\": \"Sample\"", "\"name\": \"Other\"", "differs from the file name")]
    [InlineData("\"apiKey\": 99,", "\"apiKey\": 99", "")]
    public void A_broken_definition_fails_the_build_with_the_reason(string find, string replace, string reason)
    {
        var (sources, diagnostics) = Run(("Sample.json", Valid.Replace(find, replace, StringComparison.Ordinal)));

        Assert.Empty(sources);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("KPROTO001", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains(reason, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void Only_json_files_in_a_Messages_folder_are_definitions()
    {
        var (sources, diagnostics) = Run(("Other/Sample.json", "not json at all"), ("Messages/notes.txt", "x"));

        Assert.Empty(sources);
        Assert.Empty(diagnostics);
    }

    private static (List<string> Sources, ImmutableArray<Diagnostic> Diagnostics) Run(params (string Path, string Text)[] files)
    {
        var texts = files.Select(f => (AdditionalText)new InMemoryText(f.Path.Contains('/', StringComparison.Ordinal) ? "/defs/" + f.Path : "/defs/Messages/" + f.Path, f.Text));
        var driver = CSharpGeneratorDriver.Create([new KafkaMessageGenerator().AsSourceGenerator()], texts);
        var result = driver.RunGenerators(CSharpCompilation.Create("sample")).GetRunResult();
        return (result.GeneratedTrees.Select(t => t.ToString()).ToList(), result.Diagnostics);
    }

    private sealed class InMemoryText(string path, string text) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }
}
