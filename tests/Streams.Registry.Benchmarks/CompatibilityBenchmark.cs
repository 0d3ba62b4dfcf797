using System.Diagnostics;
using System.Globalization;
using System.Text;
using Streams.Registry.Compatibility;
using Streams.Registry.Model;
using Streams.Registry.Schemas;

/// <summary>
/// Times the compatibility check of a large schema (~300 KB with 150 records: many fields, records reused by name
/// along many paths, nested unions, arrays and maps of records) against an evolved version, as a registration under
/// BACKWARD and FULL_TRANSITIVE does, after parsing. Prints the median and best of several runs.
/// </summary>
internal static class CompatibilityBenchmark
{
    public static void Run(int records, int iterations)
    {
        var original = Generate(records, evolved: false);
        var evolved = Generate(records, evolved: true);
        Console.WriteLine($"schema: {records} records, {Encoding.UTF8.GetByteCount(original) / 1024.0:F0} KB (evolved {Encoding.UTF8.GetByteCount(evolved) / 1024.0:F0} KB)");

        var parse = Measure(iterations, () => AvroSchemas.ParseNew(evolved, []));
        Console.WriteLine($"parse + validate the evolved schema: median {parse.Median:F1} ms, best {parse.Best:F1} ms");

        var writer = AvroSchemas.ParseNew(original, []);
        var reader = AvroSchemas.ParseNew(evolved, []);
        foreach (var level in new[] { CompatibilityLevel.Backward, CompatibilityLevel.Full })
        {
            var problems = 0;
            var check = Measure(iterations, () => problems = CompatibilityChecker.Check(level, reader, [(1, writer)]).Count);
            Console.WriteLine($"compatibility {level.ToWireName()}: median {check.Median:F1} ms, best {check.Best:F1} ms ({problems} problems)");
        }

        // A breaking change deep down: every record reaches R0, so the whole schema is compared and problems reported.
        var broken = AvroSchemas.ParseNew(Generate(records, evolved: true, breakBottom: true), []);
        var incompatible = 0;
        var failing = Measure(iterations, () => incompatible = CompatibilityChecker.Check(CompatibilityLevel.Backward, broken, [(1, writer)]).Count);
        Console.WriteLine($"compatibility BACKWARD, incompatible at the bottom: median {failing.Median:F1} ms, best {failing.Best:F1} ms ({incompatible} problems)");
    }

    private static (double Median, double Best) Measure(int iterations, Action action)
    {
        action(); // warm-up: JIT and caches
        var times = new List<double>();
        for (var i = 0; i < iterations; i++)
        {
            var timer = Stopwatch.StartNew();
            action();
            times.Add(timer.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return (times[times.Count / 2], times[0]);
    }

    /// <summary>
    /// A top-level union of records R0..Rn; each has ~18 fields: primitives, optional values, and references to up to
    /// four earlier records directly, in nested unions, arrays and maps. The evolved version adds a defaulted field to
    /// every record and promotes int fields to long (compatible for BACKWARD, not FORWARD).
    /// </summary>
    private static string Generate(int records, bool evolved, bool breakBottom = false)
    {
        var text = new StringBuilder("[");
        for (var i = 0; i < records; i++)
        {
            var fields = new List<string>
            {
                Field("id", "\"string\""),
                Field("count", evolved ? "\"long\"" : "\"int\""),
                Field("amount", "\"double\""),
                Field("flag", "\"boolean\""),
                Field("note", "[\"null\",\"string\"]", "null"),
                Field("tags", "{\"type\":\"array\",\"items\":\"string\"}", "[]"),
                Field("attributes", "{\"type\":\"map\",\"values\":[\"null\",\"long\",\"string\"]}", "{}"),
                Field("status", $$"""{"type":"enum","name":"Status{{i}}","symbols":["ACTIVE","INACTIVE","PENDING"{{(evolved ? ",\"ARCHIVED\"" : "")}}],"default":"ACTIVE"}"""),
                Field("digest", $$"""{"type":"fixed","name":"Digest{{i}}","size":16}"""),
                Field("createdAt", "{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}"),
            };
            if (i == 0)
            {
                fields.Add(Field("leaf", breakBottom ? "\"boolean\"" : "\"string\""));
            }

            for (var k = 1; k <= 4 && i - k >= 0; k++)
            {
                var earlier = $"R{i - k * (1 + (i % 3))}";
                if (i - k * (1 + (i % 3)) < 0)
                {
                    earlier = $"R{i - k}";
                }

                fields.Add(k switch
                {
                    1 => Field($"direct{k}", $"\"{earlier}\""),
                    2 => Field($"optional{k}", $"[\"null\",\"{earlier}\"]", "null"),
                    3 => Field($"list{k}", $$"""{"type":"array","items":["null","{{earlier}}",{"type":"map","values":"{{earlier}}"}]}""", "[]"),
                    _ => Field($"choice{k}", $$"""["null","string",{"type":"array","items":"{{earlier}}"},"{{earlier}}"]""", "null"),
                });
            }

            for (var p = 0; p < 6; p++)
            {
                fields.Add(Field($"padding{p}", "[\"null\",\"string\",\"long\",\"double\"]", "null"));
            }

            if (evolved)
            {
                fields.Add(Field("addedInV2", "[\"null\",\"string\"]", "null"));
            }

            text.Append(i == 0 ? "" : ",")
                .Append(CultureInfo.InvariantCulture, $$"""{"type":"record","name":"R{{i}}","namespace":"bench.compat","doc":"Record {{i}} of the compatibility benchmark, with enough documentation to look like a real schema.","fields":[{{string.Join(",", fields)}}]}""");
        }

        return text.Append(']').ToString();
    }

    private static string Field(string name, string type, string? defaultJson = null) =>
        $$"""{"name":"{{name}}","type":{{type}},"doc":"The {{name}} field."{{(defaultJson is null ? "" : $",\"default\":{defaultJson}")}}}""";
}
