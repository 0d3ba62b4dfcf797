namespace Streams.Registry.Compatibility;

/// <summary>One reason a reader schema cannot read data written with a writer schema.</summary>
/// <param name="Kind">Confluent's error type names (READER_FIELD_MISSING_DEFAULT_VALUE, TYPE_MISMATCH, ...).</param>
/// <param name="Path">Where in the reader schema, as a JSON-pointer-like path (<c>/fields/address/fields/zip</c>).</param>
/// <param name="Description">What is wrong, in words.</param>
internal sealed record Incompatibility(string Kind, string Path, string Description)
{
    public override string ToString() => $"{{errorType:'{Kind}', description:'{Description}', path:'{Path}'}}";
}
