using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Streams.Broker;
using Streams.Registry;

// Registry throughput (GET /schemas/ids/{id}, register-existing) and start time with N schemas in _schemas.
// Broker and registry run in this process; clients are concurrent HttpClient loops over loopback.
// "compat [records] [iterations]" instead times the compatibility check of a large schema (CompatibilityBenchmark.cs);
// "formats [schemas] [seconds] [concurrency]" compares JSON Schema and Protobuf with Avro (FormatsBenchmark.cs).
if (args.Length > 0 && args[0] == "formats")
{
    await FormatsBenchmark.RunAsync(
        args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 300,
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 4,
        args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 8);
    return;
}

if (args.Length > 0 && args[0] == "compat")
{
    CompatibilityBenchmark.Run(
        args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 150,
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20);
    return;
}

var schemaCount = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
var concurrency = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 8;
var dataDirectory = Path.Combine(Path.GetTempPath(), "streams-registry-bench", Guid.NewGuid().ToString("N"));

var broker = await KafkaBroker.StartAsync(new BrokerOptions { Port = 0, DataDirectory = dataDirectory });
var options = new SchemaRegistryOptions { KafkaBootstrapServers = broker.BootstrapServers, Listen = "http://127.0.0.1:0" };
var ids = new List<int>();
var registerTimer = Stopwatch.StartNew();
await using (var registry = await SchemaRegistryHost.StartAsync(options))
{
    using var http = new HttpClient { BaseAddress = new Uri(registry.Url) };
    for (var i = 0; i < schemaCount; i++)
    {
        ids.Add(await RegisterAsync(http, $"subject-{i}", Schema(i)));
    }

    Console.WriteLine($"registered {schemaCount} new schemas in {registerTimer.ElapsedMilliseconds} ms ({schemaCount / registerTimer.Elapsed.TotalSeconds:F0}/s, one at a time: each waits for acks=all and the read-back)");

    var gets = await FormatsBenchmark.LoopAsync(registry.Url, seconds, concurrency, async (client, n) =>
    {
        using var response = await client.GetAsync($"/schemas/ids/{ids[n % ids.Count]}");
        response.EnsureSuccessStatusCode();
    });
    Console.WriteLine($"GET /schemas/ids/{{id}}: {gets:F0} req/s ({concurrency} concurrent clients)");

    var registers = await FormatsBenchmark.LoopAsync(registry.Url, seconds, concurrency, async (client, n) =>
    {
        var i = n % schemaCount;
        await RegisterAsync(client, $"subject-{i}", Schema(i));
    });
    Console.WriteLine($"POST /subjects/{{s}}/versions (already registered): {registers:F0} req/s ({concurrency} concurrent clients)");
}

var startTimer = Stopwatch.StartNew();
await using (var restarted = await SchemaRegistryHost.StartAsync(options))
{
    startTimer.Stop();
    using var http = new HttpClient { BaseAddress = new Uri(restarted.Url) };
    var subjects = JsonNode.Parse(await http.GetStringAsync("/subjects"))!.AsArray().Count;
    Console.WriteLine($"start with {schemaCount} schemas in _schemas: {startTimer.ElapsedMilliseconds} ms to serving ({subjects} subjects loaded)");
}

await broker.DisposeAsync();
try
{
    Directory.Delete(dataDirectory, recursive: true);
}
catch (IOException)
{
}

static string Schema(int i) => $$$"""{"type":"record","name":"Event{{{i}}}","namespace":"bench","fields":[{"name":"id","type":"string"},{"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"amount","type":"double","default":0}]}""";

static async Task<int> RegisterAsync(HttpClient http, string subject, string schema)
{
    using var content = new StringContent(new JsonObject { ["schema"] = schema }.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/vnd.schemaregistry.v1+json"));
    using var response = await http.PostAsync($"/subjects/{subject}/versions", content);
    response.EnsureSuccessStatusCode();
    return (int)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!;
}
