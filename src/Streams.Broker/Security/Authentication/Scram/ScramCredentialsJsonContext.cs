using System.Text.Json.Serialization;

namespace Streams.Broker.Security.Authentication.Scram;

/// <summary>
/// Compile-time JSON metadata for <c>meta/scram-credentials.json</c> (no runtime reflection: Native AOT, trimming).
/// Same shape as before: the names given by <see cref="JsonPropertyNameAttribute"/>, indented.
/// </summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(ScramCredentialStore.CredentialFile))]
internal sealed partial class ScramCredentialsJsonContext : JsonSerializerContext;
