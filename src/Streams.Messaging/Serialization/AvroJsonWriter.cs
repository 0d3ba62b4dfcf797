using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Avro;
using Avro.Generic;
using Avro.Specific;

namespace Streams.Messaging.Serialization;

/// <summary>
/// Avro data, generated contracts and generic records alike, as the JSON a person would write: no union wrappers,
/// decimals as numbers, timestamps as ISO 8601 UTC strings, bytes as base64, enums by symbol. Written straight to UTF-8
/// without an intermediate document, so a consumer can afford it for every event (the audit trail's payload).
/// </summary>
public static class AvroJsonWriter
{
    /// <summary><paramref name="value"/> as compact JSON text.</summary>
    public static string ToJsonString(object? value)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            Write(json, value);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes <paramref name="value"/> (a record, or any value a record's field holds) to <paramref name="json"/>.</summary>
    public static void Write(Utf8JsonWriter json, object? value)
    {
        ArgumentNullException.ThrowIfNull(json);
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case ISpecificRecord record:
                WriteRecord(json, (RecordSchema)record.Schema, record.Get);
                break;
            case GenericRecord record:
                WriteRecord(json, record.Schema, record.GetValue);
                break;
            case GenericEnum symbol:
                json.WriteStringValue(symbol.Value);
                break;
            case Enum symbol: // a generated contract's enum: its name is the Avro symbol
                json.WriteStringValue(symbol.ToString());
                break;
            case GenericFixed fixedValue:
                json.WriteBase64StringValue(fixedValue.Value);
                break;
            case byte[] bytes:
                json.WriteBase64StringValue(bytes);
                break;
            case AvroDecimal number:
                json.WriteNumberValue((decimal)number);
                break;
            case DateTime time:
                json.WriteStringValue(time.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture).Replace(".0000000Z", "Z", StringComparison.Ordinal));
                break;
            case TimeSpan span:
                json.WriteStringValue(span.ToString("c", CultureInfo.InvariantCulture));
                break;
            case Guid id:
                json.WriteStringValue(id);
                break;
            case string text:
                json.WriteStringValue(text);
                break;
            case IDictionary map:
                json.WriteStartObject();
                foreach (DictionaryEntry entry in map)
                {
                    json.WritePropertyName((string)entry.Key);
                    Write(json, entry.Value);
                }

                json.WriteEndObject();
                break;
            case IEnumerable items:
                json.WriteStartArray();
                foreach (var item in items)
                {
                    Write(json, item);
                }

                json.WriteEndArray();
                break;
            case bool flag:
                json.WriteBooleanValue(flag);
                break;
            case int number:
                json.WriteNumberValue(number);
                break;
            case long number:
                json.WriteNumberValue(number);
                break;
            // JSON has no NaN or infinities: Avro floats may hold them, so they are written as strings, not refused.
            case float number when float.IsFinite(number):
                json.WriteNumberValue(number);
                break;
            case double number when double.IsFinite(number):
                json.WriteNumberValue(number);
                break;
            default:
                json.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static void WriteRecord(Utf8JsonWriter json, RecordSchema schema, Func<int, object?> field)
    {
        json.WriteStartObject();
        foreach (var f in schema.Fields)
        {
            json.WritePropertyName(f.Name);
            Write(json, field(f.Pos));
        }

        json.WriteEndObject();
    }
}
