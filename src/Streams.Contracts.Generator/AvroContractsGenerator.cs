using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Avro;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Streams.Contracts.Generator;

/// <summary>
/// Turns every <c>.avsc</c> given as an AdditionalFile into C# types with Apache.Avro's own code generator, so the
/// contracts in <c>schemas/</c> stay the single source of truth and nothing generated is ever committed.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class AvroContractsGenerator : IIncrementalGenerator
{
    private static readonly DiagnosticDescriptor InvalidSchema = new(
        "AVRO001",
        "Invalid Avro schema",
        "{0}: {1}",
        "Streams.Contracts",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    private static readonly DiagnosticDescriptor GenerationFailed = new(
        "AVRO002",
        "Avro code generation failed",
        "Generating C# from the Avro schemas failed: {0}",
        "Streams.Contracts",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var schemas = context.AdditionalTextsProvider
            .Where(static file => file.Path.EndsWith(".avsc", StringComparison.OrdinalIgnoreCase))
            .Select(static (file, cancellationToken) => new SchemaFile(file.Path, file.GetText(cancellationToken)?.ToString() ?? string.Empty))
            .Collect();

        context.RegisterSourceOutput(schemas, static (output, files) => Generate(output, files));
    }

    private static void Generate(SourceProductionContext output, ImmutableArray<SchemaFile> files)
    {
        if (files.IsDefaultOrEmpty)
        {
            return;
        }

        var parsed = ParseInDependencyOrder(output, files);
        if (parsed is null)
        {
            return;
        }

        try
        {
            var codeGen = new CodeGen();
            foreach (var schema in parsed)
            {
                codeGen.AddSchema(schema);
            }

            codeGen.GenerateCode();
            foreach (var type in codeGen.GetTypes().OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                output.AddSource(type.Key.Replace('.', '_') + ".g.cs", SourceText.From(type.Value, System.Text.Encoding.UTF8));
            }
        }
        catch (Exception ex) when (ex is AvroException or InvalidOperationException or ArgumentException)
        {
            output.ReportDiagnostic(Diagnostic.Create(GenerationFailed, Location.None, ex.Message));
        }
    }

    /// <summary>
    /// Schemas may use named types defined in other files; a file parses only after the files it refers to.
    /// Each pass puts the files that parsed first, until every file parses or a pass changes nothing.
    /// </summary>
    private static List<Schema>? ParseInDependencyOrder(SourceProductionContext output, ImmutableArray<SchemaFile> files)
    {
        var order = files.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        for (var pass = 0; pass <= files.Length; pass++)
        {
            var names = new SchemaNames();
            var parsed = new List<(SchemaFile File, Schema Schema)>();
            var failed = new List<(SchemaFile File, string Error)>();
            foreach (var file in order)
            {
                try
                {
                    parsed.Add((file, Schema.Parse(file.Text, names, null)));
                }
                catch (Exception ex) when (ex is AvroException or Newtonsoft.Json.JsonException)
                {
                    failed.Add((file, ex.Message));
                }
            }

            if (failed.Count == 0)
            {
                return parsed.Select(p => p.Schema).ToList();
            }

            var next = parsed.Select(p => p.File).Concat(failed.Select(f => f.File)).ToList();
            if (pass == files.Length || next.SequenceEqual(order))
            {
                foreach (var (file, error) in failed)
                {
                    output.ReportDiagnostic(Diagnostic.Create(InvalidSchema, Location.None, file.Path, error));
                }

                return null;
            }

            order = next;
        }

        return null;
    }

    private readonly record struct SchemaFile(string Path, string Text);
}
