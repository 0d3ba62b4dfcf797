namespace Streams.Registry.Schemas;

/// <summary>The text is not a schema this registry accepts (Confluent error 42201).</summary>
internal sealed class InvalidSchemaException(string message, Exception? inner = null) : Exception(message, inner);
