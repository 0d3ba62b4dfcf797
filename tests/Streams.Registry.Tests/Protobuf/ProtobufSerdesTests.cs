using System.Diagnostics;
using System.Text.Json.Nodes;
using Streams.Registry.Tests.Support;
using static Streams.Registry.Tests.Support.RegistryHttp;

namespace Streams.Registry.Tests.Protobuf;

/// <summary>
/// Confluent's JavaScript Protobuf serializer and deserializer (<c>@confluentinc/schemaregistry</c>, run by
/// <c>node</c> from Protobuf/js, installed there by .ci/run with <c>npm ci</c>) against the embedded registry over HTTP.
/// </summary>
public sealed class ProtobufSerdesTests(SharedRegistry shared) : IClassFixture<SharedRegistry>
{
    // What serdes.js's descriptor says, as .proto text.
    private const string OrderProto = """
        syntax = "proto3";
        package shop;
        import "google/protobuf/timestamp.proto";
        message Order {
          string id = 1;
          double amount = 2;
          google.protobuf.Timestamp placed = 3;
          repeated string tags = 4;
          repeated Line lines = 5;
          message Line {
            string sku = 1;
            int64 quantity = 2;
          }
        }
        """;

    private const string Expected = """{"id":"o-1","amount":12.5,"placed":"2023-11-14T22:13:20Z","tags":["gift","express"],"lines":[{"sku":"A-1","quantity":"2"},{"sku":"B-7","quantity":"1"}]}""";

    [SkippableFact]
    public async Task Default_settings_register_the_descriptor_and_round_trip()
    {
        var topic = TestSchemas.Subject("orders");
        var first = await RunAsync(topic, "auto");
        using var http = shared.Server.Http();
        var latest = (await GetAsync(http, $"/subjects/{topic}-value/versions/latest")).Body!;
        Assert.Equal(("PROTOBUF", (int)first["id"]!), ((string?)latest["schemaType"], (int)latest["id"]!));
        Assert.Contains("message Order {", (string)latest["schema"]!, StringComparison.Ordinal);
        Assert.Contains("repeated .shop.Order.Line lines = 5;", (string)latest["schema"]!, StringComparison.Ordinal);
        Assert.Equal(JsonNode.Parse(Expected)!.ToJsonString(), first["read"]!.ToJsonString());

        // Confluent's wire format: magic byte, id, then the message indexes (0: the first message of the file).
        var hex = (string)first["hex"]!;
        Assert.Equal($"00{(int)first["id"]!:x8}00", hex[..12]);

        // Another producer process looks the same descriptor up and finds the same id, not a new version.
        var second = await RunAsync(topic, "auto");
        Assert.Equal((int)first["id"]!, (int)second["id"]!);
        Assert.Equal("[1]", (await GetAsync(http, $"/subjects/{topic}-value/versions")).Body!.ToJsonString());
    }

    [SkippableFact]
    public async Task Use_latest_version_without_auto_register_uses_a_schema_registered_as_text()
    {
        var topic = TestSchemas.Subject("orders-latest");
        using var http = shared.Server.Http();
        var registered = await PostAsync(http, $"/subjects/{topic}-value/versions", SchemaBody(OrderProto, "PROTOBUF"));
        Assert.Equal(200, registered.Status);

        var result = await RunAsync(topic, "latest");
        Assert.Equal((int)registered.Body!["id"]!, (int)result["id"]!);
        Assert.Equal(JsonNode.Parse(Expected)!.ToJsonString(), result["read"]!.ToJsonString());
        Assert.Equal("[1]", (await GetAsync(http, $"/subjects/{topic}-value/versions")).Body!.ToJsonString());
    }

    [SkippableFact]
    public async Task The_serializers_descriptor_is_the_schema_registered_as_text()
    {
        // The serializer sends a serialized FileDescriptorProto; the subject holds .proto text of the same file. As
        // in Confluent's registry (canonical forms compared), that is the same schema: same id, no new version.
        var topic = TestSchemas.Subject("orders-text");
        using var http = shared.Server.Http();
        var registered = await PostAsync(http, $"/subjects/{topic}-value/versions", SchemaBody(OrderProto, "PROTOBUF"));
        var result = await RunAsync(topic, "auto");
        Assert.Equal((int)registered.Body!["id"]!, (int)result["id"]!);
        Assert.Equal("[1]", (await GetAsync(http, $"/subjects/{topic}-value/versions")).Body!.ToJsonString());
    }

    [SkippableFact]
    public async Task Without_auto_register_an_unregistered_subject_fails_in_the_serializer()
    {
        var topic = TestSchemas.Subject("orders-none");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RunAsync(topic, "latest"));
        Assert.Contains("40401", error.Message, StringComparison.Ordinal);
    }

    private async Task<JsonNode> RunAsync(string topic, string mode)
    {
        var folder = ScriptFolder();
        Skip.If(folder is null, "Confluent's JS client is not installed: run `npm ci` in tests/Streams.Registry.Tests/Protobuf/js (.ci/run does)");
        Skip.If(!NodeExists(), "node is not installed");
        var start = new ProcessStartInfo("node") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "serdes.js", shared.Server.Url, topic, mode })
        {
            start.ArgumentList.Add(argument);
        }

        using var node = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var output = node.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = node.StandardError.ReadToEndAsync(timeout.Token);
        await node.WaitForExitAsync(timeout.Token);
        if (node.ExitCode != 0)
        {
            throw new InvalidOperationException($"node serdes.js {mode} failed: {await errors}");
        }

        return JsonNode.Parse((await output).Trim().Split('\n')[^1])!;
    }

    private static string? ScriptFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var folder = Path.Combine(dir.FullName, "tests", "Streams.Registry.Tests", "Protobuf", "js");
            if (File.Exists(Path.Combine(folder, "serdes.js")))
            {
                return Directory.Exists(Path.Combine(folder, "node_modules", "@confluentinc", "schemaregistry")) ? folder : null;
            }
        }

        return null;
    }

    private static bool NodeExists() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(p => File.Exists(Path.Combine(p, "node")));
}
