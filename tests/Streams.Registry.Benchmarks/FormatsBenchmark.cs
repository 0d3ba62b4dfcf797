using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Streams.Broker;
using Streams.Registry;

/// <summary>
/// Register and lookup rates of JSON Schema and Protobuf against Avro, in one run on one broker and registry so the
/// ratios hold on a loaded machine: per format, N new schemas registered one at a time (each waits for its record
/// to be written and read back), then concurrent GET /schemas/ids/{id}, re-registrations of known schemas (what
/// serializers do at start) and POST /subjects/{s} look-ups. Equivalent schemas (an event with id, time, amount).
/// </summary>
internal static class FormatsBenchmark
{
    private static readonly string[] Formats = ["AVRO", "JSON", "PROTOBUF"];

    public static async Task RunAsync(int schemaCount, int seconds, int concurrency)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "streams-registry-bench", Guid.NewGuid().ToString("N"));
        var broker = await KafkaBroker.StartAsync(new BrokerOptions { Port = 0, DataDirectory = dataDirectory });
        var results = new Dictionary<string, Rates>();
        try
        {
            var options = new SchemaRegistryOptions { KafkaBootstrapServers = broker.BootstrapServers, Listen = "http://127.0.0.1:0" };
            await using var registry = await SchemaRegistryHost.StartAsync(options);
            using var http = new HttpClient { BaseAddress = new Uri(registry.Url) };
            foreach (var format in Formats)
            {
                var ids = new List<int>();
                var timer = Stopwatch.StartNew();
                for (var i = 0; i < schemaCount; i++)
                {
                    ids.Add(await RegisterAsync(http, $"{format}-{i}", format, Schema(format, i)));
                }

                var register = schemaCount / timer.Elapsed.TotalSeconds;
                var gets = await LoopAsync(registry.Url, seconds, concurrency, async (client, n) =>
                {
                    using var response = await client.GetAsync($"/schemas/ids/{ids[n % ids.Count]}");
                    response.EnsureSuccessStatusCode();
                });
                var existing = await LoopAsync(registry.Url, seconds, concurrency, (client, n) =>
                    RegisterAsync(client, $"{format}-{n % schemaCount}", format, Schema(format, n % schemaCount)));
                var lookups = await LoopAsync(registry.Url, seconds, concurrency, (client, n) =>
                    PostAsync(client, $"/subjects/{format}-{n % schemaCount}", format, Schema(format, n % schemaCount)));
                results[format] = new Rates(register, gets, existing, lookups);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{format,-9} register new {register,7:F0}/s (one at a time)  GET by id {gets,7:F0}/s  register existing {existing,7:F0}/s  lookup {lookups,7:F0}/s ({concurrency} clients)"));
            }
        }
        finally
        {
            await broker.DisposeAsync();
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        var avro = results["AVRO"];
        string Ratio(string format)
        {
            var r = results[format];
            return string.Create(CultureInfo.InvariantCulture,
                $"{format} register new x{r.Register / avro.Register:F2}, GET x{r.Get / avro.Get:F2}, register existing x{r.Existing / avro.Existing:F2}, lookup x{r.Lookup / avro.Lookup:F2}");
        }

        Console.WriteLine($"vs AVRO (same run, {schemaCount} schemas each): {Ratio("JSON")}; {Ratio("PROTOBUF")}");
    }

    private static string Schema(string format, int i) => format switch
    {
        "JSON" => $$$"""{"$schema":"http://json-schema.org/draft-07/schema#","title":"Event{{{i}}}","type":"object","properties":{"id":{"type":"string"},"at":{"type":"string","format":"date-time"},"amount":{"type":"number","default":0}},"required":["id","at"],"additionalProperties":false}""",
        "PROTOBUF" => $$$"""
            syntax = "proto3";
            package bench;

            import "google/protobuf/timestamp.proto";

            message Event{{{i}}} {
              string id = 1;
              google.protobuf.Timestamp at = 2;
              double amount = 3;
            }
            """,
        _ => $$$"""{"type":"record","name":"Event{{{i}}}","namespace":"bench","fields":[{"name":"id","type":"string"},{"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"amount","type":"double","default":0}]}""",
    };

    private static async Task<int> RegisterAsync(HttpClient http, string subject, string format, string schema) =>
        await PostAsync(http, $"/subjects/{subject}/versions", format, schema);

    private static async Task<int> PostAsync(HttpClient http, string path, string format, string schema)
    {
        var body = new JsonObject { ["schema"] = schema, ["schemaType"] = format }.ToJsonString();
        using var content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/vnd.schemaregistry.v1+json"));
        using var response = await http.PostAsync(path, content);
        response.EnsureSuccessStatusCode();
        return (int)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!;
    }

    /// <summary>Calls per second of <paramref name="call"/> from <paramref name="concurrency"/> clients for <paramref name="seconds"/>.</summary>
    internal static async Task<double> LoopAsync(string url, int seconds, int concurrency, Func<HttpClient, int, Task> call)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var total = 0L;
        var timer = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            using var client = new HttpClient { BaseAddress = new Uri(url) };
            var n = worker * 7919;
            while (!stop.IsCancellationRequested)
            {
                await call(client, n++);
                Interlocked.Increment(ref total);
            }
        }));
        return total / timer.Elapsed.TotalSeconds;
    }

    private sealed record Rates(double Register, double Get, double Existing, double Lookup);
}
