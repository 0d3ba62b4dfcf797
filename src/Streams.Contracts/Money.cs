using Avro;

namespace Streams.Contracts;

/// <summary>
/// Money in the contracts is Avro <c>decimal(18,2)</c>. Avro refuses a value whose scale is not exactly 2 (so
/// <c>40m</c> fails where <c>40.00m</c> works); build amounts here and they always encode.
/// </summary>
public static class Money
{
    public const int Scale = 2;

    /// <summary>The amount rounded half-to-even to cents and carrying exactly two decimal places.</summary>
    public static AvroDecimal Of(decimal amount) => new(decimal.Round(amount, Scale, MidpointRounding.ToEven) + 0.00m);
}
