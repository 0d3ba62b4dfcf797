using System;
using System.IO;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Streams.Broker.Protocol.Generator;

/// <summary>
/// Turns each message definition (a <c>.json</c> AdditionalFile in a <c>Messages</c> folder) into the request and
/// response classes of one Kafka API, so a new version or field is a change to data and the codec cannot drift
/// from the definition. Each file is generated on its own: editing one definition regenerates only that API.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class KafkaMessageGenerator : IIncrementalGenerator
{
    private static readonly DiagnosticDescriptor InvalidDefinition = new(
        "KPROTO001",
        "Invalid Kafka message definition",
        "{0}: {1}",
        "Streams.Broker.Protocol",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var definitions = context.AdditionalTextsProvider
            .Where(static file => file.Path.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
                && string.Equals(Path.GetFileName(Path.GetDirectoryName(file.Path)), "Messages", StringComparison.Ordinal))
            .Select(static (file, cancellationToken) => Generate(file.Path, file.GetText(cancellationToken)?.ToString() ?? string.Empty));

        context.RegisterSourceOutput(definitions, static (output, result) =>
        {
            if (result.Error is not null)
            {
                var location = Location.Create(result.Path, default, default);
                output.ReportDiagnostic(Diagnostic.Create(InvalidDefinition, location, Path.GetFileName(result.Path), result.Error));
                return;
            }

            output.AddSource(result.HintName + ".g.cs", SourceText.From(result.Source!, System.Text.Encoding.UTF8));
        });
    }

    private static GeneratedMessage Generate(string path, string json)
    {
        try
        {
            var pair = DefinitionParser.Parse(json);
            var expected = Path.GetFileNameWithoutExtension(path);
            if (!string.Equals(pair.Name, expected, StringComparison.Ordinal))
            {
                return new GeneratedMessage(path, expected, null, $"name '{pair.Name}' differs from the file name");
            }

            return new GeneratedMessage(path, pair.Name, MessageEmitter.Emit(pair, "Protocol/Messages/" + Path.GetFileName(path)), null);
        }
        catch (DefinitionException ex)
        {
            return new GeneratedMessage(path, string.Empty, null, ex.Message);
        }
    }

    /// <summary>A value (compared by content) so the incremental pipeline can skip unchanged files.</summary>
    private sealed record GeneratedMessage(string Path, string HintName, string? Source, string? Error);
}
