using System.Text;
using System.Text.Json.Nodes;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Streams.Registry.Storage;
using Streams.Registry.Tests.Support;
using static Streams.Registry.Tests.Support.RegistryHttp;

namespace Streams.Registry.Tests;

/// <summary>
/// Anyone who can write the <c>_schemas</c> topic can put anything in it. A record the registry cannot read is logged
/// (topic, partition, offset, why) and skipped, as Confluent's registry does: the registry keeps reading, starts, and
/// serves every good record, at every restart.
/// </summary>
public sealed class MalformedLogRecordTests
{
    private const string GoodSchema = """{"type":"record","name":"RawGood","fields":[{"name":"a","type":"int"}]}""";

    /// <summary>What is wrong, the key and the value (null: a tombstone), exactly as written to the topic.</summary>
    private static readonly (string Problem, string? Key, byte[]? Value)[] Bad =
    [
        ("a key repeating a property", """{"keytype":"SCHEMA","subject":"dup-key-a","version":1,"magic":1,"subject":"dup-key-b"}""", Value("dup-key-a", 1, 9001, "\"string\"")),
        ("a value repeating a property", Key("dup-value", 1), Utf8("""{"subject":"dup-value","version":1,"id":9002,"id":9003,"schema":"\"string\"","deleted":false}""")),
        ("a garbage value", Key("garbage", 1), [0xff, 0x00, 0x13, 0x37]),
        ("a truncated key", """{"keytype":"SCHEMA","subj""", Value("truncated", 1, 9004, "\"string\"")),
        ("a truncated value", Key("truncated-value", 1), Utf8("""{"subject":"truncated-value","version":1,"id":90""")),
        ("an unknown keytype", """{"keytype":"BOGUS","magic":0}""", Utf8("{}")),
        ("a key without a keytype", """{"subject":"no-keytype","version":1}""", Value("no-keytype", 1, 9005, "\"string\"")),
        ("a key that is a JSON array", """["SCHEMA","array-key",1]""", Value("array-key", 1, 9006, "\"string\"")),
        ("a version of the wrong JSON type", """{"keytype":"SCHEMA","subject":"string-version","version":"1","magic":1}""", Value("string-version", 1, 9007, "\"string\"")),
        ("an id of the wrong JSON type", Key("string-id", 1), Utf8("""{"subject":"string-id","version":1,"id":"9008","schema":"\"string\"","deleted":false}""")),
        ("a value without an id", Key("no-id", 1), Utf8("""{"subject":"no-id","version":1,"schema":"\"string\"","deleted":false}""")),
        ("a value without a schema", Key("no-schema", 1), Utf8("""{"subject":"no-schema","version":1,"id":9009,"deleted":false}""")),
        ("an id that does not fit in 32 bits", Key("huge-id", 1), Value("huge-id", 1, 3_000_000_000, "\"string\"")),
        ("a negative version", Key("negative-version", -3), Value("negative-version", -3, 9010, "\"string\"")),
        ("a value naming another subject than its key", Key("key-subject", 1), Value("value-subject", 1, 9011, "\"string\"")),
        ("a schema that no longer parses", Key("unparsable", 1), Value("unparsable", 1, 9012, """{"type":"record","name":"Broken"}""")),
        ("a value that is a JSON array", Key("array-value", 1), Utf8("[1,2,3]")),
        ("a compatibility level of the wrong JSON type", """{"keytype":"CONFIG","subject":"bad-config","magic":0}""", Utf8("""{"compatibilityLevel":42}""")),
        ("an unknown mode", """{"keytype":"MODE","subject":"bad-mode","magic":0}""", Utf8("""{"mode":"SIDEWAYS"}""")),
    ];

    [Fact]
    public async Task Malformed_records_are_logged_with_their_offset_and_skipped_and_the_registry_serves_the_good_ones_across_two_restarts()
    {
        using var logs = new CapturedLogs();
        await using var server = await RegistryServer.StartAsync(loggerFactory: logs.Factory);
        using var http = server.Http();
        var before = (int)(await PostAsync(http, "/subjects/good-before/versions", SchemaBody(TestSchemas.User))).Body!["id"]!;

        using (var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = server.Broker.BootstrapServers }).Build())
        {
            foreach (var (_, key, value) in Bad)
            {
                await producer.ProduceAsync("_schemas", new Message<byte[]?, byte[]?> { Key = key is null ? null : Utf8(key), Value = value });
            }

            await producer.ProduceAsync("_schemas", new Message<byte[]?, byte[]?> { Key = Utf8(Key("raw-good", 1)), Value = Value("raw-good", 1, 7000, GoodSchema) });
        }

        // The running registry read past them: a registration waits for its own record to be read back.
        var after = await PostAsync(http, "/subjects/good-after/versions", SchemaBody(TestSchemas.Distinct()));
        Assert.Equal(200, after.Status);
        Assert.True((int)after.Body!["id"]! > 7000, "ids continue above the highest id read, including raw records");
        AssertServesOnlyTheGoodRecords(await SnapshotAsync(http), before);
        AssertEachMalformedRecordWasLogged(logs);

        for (var restart = 0; restart < 2; restart++)
        {
            logs.Clear();
            await server.RestartAsync();
            using var restarted = server.Http();
            AssertServesOnlyTheGoodRecords(await SnapshotAsync(restarted), before);
            AssertEachMalformedRecordWasLogged(logs);
            Assert.Equal(200, (await PostAsync(restarted, $"/subjects/good-restart-{restart}/versions", SchemaBody(TestSchemas.Distinct()))).Status);
        }
    }

    [Fact]
    public async Task A_schema_stored_before_the_default_rules_is_still_served_and_found_but_not_accepted_as_new()
    {
        // As an older registry (or Apache.Avro alone) accepted it: a string default for an int field.
        const string legacy = """{"type":"record","name":"Legacy","fields":[{"name":"a","type":"int","default":"zero"}]}""";
        await using var server = await RegistryServer.StartAsync();
        using (var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = server.Broker.BootstrapServers }).Build())
        {
            await producer.ProduceAsync("_schemas", new Message<byte[]?, byte[]?> { Key = Utf8(Key("legacy", 1)), Value = Value("legacy", 1, 4242, legacy) });
        }

        await server.RestartAsync();
        using var http = server.Http();
        Assert.Equal(200, (await GetAsync(http, "/schemas/ids/4242")).Status);

        // Serializers look their schema up, or re-register it, at every start: both still answer the stored version.
        Assert.Equal(4242, (int)(await PostAsync(http, "/subjects/legacy", SchemaBody(legacy))).Body!["id"]!);
        Assert.Equal(4242, (int)(await PostAsync(http, "/subjects/legacy/versions", SchemaBody(legacy))).Body!["id"]!);

        var elsewhere = await PostAsync(http, $"/subjects/{TestSchemas.Subject()}/versions", SchemaBody(legacy));
        AssertError(elsewhere, 422, 42201);
        Assert.Contains("default", (string)elsewhere.Body!["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void A_record_whose_key_repeats_a_property_is_malformed_rather_than_read_with_either_value()
    {
        var decoded = LogRecords.Decode(Utf8("""{"keytype":"SCHEMA","subject":"a","version":1,"magic":1,"subject":"b"}"""), Value("a", 1, 1, "\"string\""));
        Assert.Null(decoded.Record);
        Assert.Contains("subject", decoded.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Records_this_registry_writes_decode_to_what_was_written_and_confluents_other_keytypes_are_ignored_without_error()
    {
        var record = new SchemaRecord("s", 3, new Model.StoredSchema(42, "g", "AVRO", "\"string\"", [new Model.SchemaReference("n", "t", 2)]), Deleted: true);
        var (key, value) = LogRecords.Encode(record);
        var decoded = LogRecords.Decode(key, value);
        Assert.Null(decoded.Error);
        var back = Assert.IsType<SchemaRecord>(decoded.Record);
        Assert.Equal((record.Subject, record.Version, record.Deleted), (back.Subject, back.Version, back.Deleted));
        Assert.Equal((42, "g", "\"string\""), (back.Schema!.Id, back.Schema.Guid, back.Schema.Schema));
        Assert.Equal(record.Schema!.References, back.Schema.References);

        Assert.Equal(default, LogRecords.Decode(Utf8("""{"keytype":"NOOP","magic":0}"""), null));
        Assert.Equal(default, LogRecords.Decode(Utf8("""{"keytype":"DELETE_SUBJECT","subject":"s","magic":0}"""), Utf8("""{"subject":"s","version":3}""")));
    }

    private static void AssertServesOnlyTheGoodRecords((JsonArray Subjects, int RawGoodStatus, int[] MissingIdStatuses) snapshot, int beforeId)
    {
        var subjects = snapshot.Subjects.Select(s => (string?)s).ToList();
        Assert.Contains("good-before", subjects);
        Assert.Contains("good-after", subjects);
        Assert.Contains("raw-good", subjects);
        foreach (var bad in new[] { "dup-key-a", "dup-key-b", "dup-value", "garbage", "truncated", "truncated-value", "no-keytype", "array-key", "string-version", "string-id", "no-id", "no-schema", "huge-id", "negative-version", "key-subject", "value-subject", "unparsable", "array-value" })
        {
            Assert.DoesNotContain(bad, subjects);
        }

        Assert.True(beforeId > 0);
        Assert.Equal(200, snapshot.RawGoodStatus);
        Assert.All(snapshot.MissingIdStatuses, status => Assert.Equal(404, status));
    }

    private static async Task<(JsonArray, int, int[])> SnapshotAsync(HttpClient http)
    {
        var subjects = (await GetAsync(http, "/subjects?deleted=true")).Body!.AsArray();
        var rawGood = (await GetAsync(http, "/schemas/ids/7000")).Status;
        var missing = new List<int>();
        for (var id = 9001; id <= 9012; id++)
        {
            missing.Add((await GetAsync(http, $"/schemas/ids/{id}")).Status);
        }

        AssertError(await GetAsync(http, "/config/bad-config"), 404, 40408);
        return (subjects, rawGood, [.. missing]);
    }

    private static void AssertEachMalformedRecordWasLogged(CapturedLogs logs)
    {
        var skipped = logs.At(LogLevel.Error).Where(m => m.StartsWith("Skipped malformed record in _schemas partition 0 offset ", StringComparison.Ordinal)).ToList();
        Assert.True(skipped.Count == Bad.Length, $"expected {Bad.Length} skipped records, logged: {string.Join("\n", skipped)}");
        Assert.Equal(Bad.Length, skipped.Distinct().Count());
    }

    private static string Key(string subject, int version) => $$"""{"keytype":"SCHEMA","subject":"{{subject}}","version":{{version}},"magic":1}""";

    private static byte[] Value(string subject, int version, long id, string schema) =>
        Utf8(new JsonObject { ["subject"] = subject, ["version"] = version, ["id"] = id, ["schema"] = schema, ["deleted"] = false }.ToJsonString());

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
