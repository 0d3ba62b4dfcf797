using Avro;
using Avro.Specific;

namespace Streams.Registry.Tests.Support;

/// <summary>A hand-written Avro specific record, as avrogen would generate it.</summary>
public sealed class Payment : ISpecificRecord
{
    public static readonly Schema _SCHEMA = Schema.Parse(
        """{"type":"record","name":"Payment","namespace":"com.example","fields":[{"name":"id","type":"string"},{"name":"amount","type":"double"}]}""");

    public string Id { get; set; } = "";

    public double Amount { get; set; }

    public Schema Schema => _SCHEMA;

    public object Get(int fieldPos) => fieldPos switch
    {
        0 => Id,
        1 => Amount,
        _ => throw new AvroRuntimeException($"Bad index {fieldPos} in Get()"),
    };

    public void Put(int fieldPos, object fieldValue)
    {
        switch (fieldPos)
        {
            case 0:
                Id = (string)fieldValue;
                break;
            case 1:
                Amount = (double)fieldValue;
                break;
            default:
                throw new AvroRuntimeException($"Bad index {fieldPos} in Put()");
        }
    }
}
