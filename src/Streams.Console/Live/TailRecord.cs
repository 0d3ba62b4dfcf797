using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Confluent.Kafka;
using Streams.Messaging.Diagnostics;
using Streams.Operations.Records;

namespace Streams.KafkaConsole.Live;

/// <summary>One record of a live tail as the browser receives it: decoded key and value, headers, trace id.</summary>
internal static class TailRecord
{
    public static async Task<JsonObject> ToJsonAsync(ConsumeResult<byte[]?, byte[]?> result, FormatDecoder decoder)
    {
        var key = await decoder.DecodeAsync(result.Message.Key).ConfigureAwait(false);
        var value = await decoder.DecodeAsync(result.Message.Value).ConfigureAwait(false);
        var headers = new JsonObject();
        foreach (var header in result.Message.Headers ?? [])
        {
            headers[header.Key] = header.GetValueBytes() is { } bytes ? Encoding.UTF8.GetString(bytes) : null;
        }

        var trace = TraceHeaders.Extract(result.Message.Headers);
        return new JsonObject
        {
            ["partition"] = result.Partition.Value,
            ["offset"] = result.Offset.Value,
            ["timestamp"] = result.Message.Timestamp.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            ["key"] = key.Json,
            ["headers"] = headers,
            ["traceId"] = trace == default ? null : trace.TraceId.ToHexString(),
            ["schema"] = value.SchemaName,
            ["value"] = value.Json,
        };
    }
}
