namespace Streams.Registry.Tests.Support;

/// <summary>Schema texts used across tests, and unique subject names.</summary>
public static class TestSchemas
{
    public const string User = """{"type":"record","name":"User","namespace":"com.example","fields":[{"name":"name","type":"string"},{"name":"age","type":"int"}]}""";

    public const string UserWithEmail = """{"type":"record","name":"User","namespace":"com.example","fields":[{"name":"name","type":"string"},{"name":"age","type":"int"},{"name":"email","type":["null","string"],"default":null}]}""";

    public const string UserWithRequiredEmail = """{"type":"record","name":"User","namespace":"com.example","fields":[{"name":"name","type":"string"},{"name":"age","type":"int"},{"name":"email","type":"string"}]}""";

    public static string Subject(string prefix = "s") => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>A distinct record schema per call (so each gets a new id).</summary>
    public static string Distinct() => $$"""{"type":"record","name":"R{{Guid.NewGuid():N}}","fields":[{"name":"a","type":"int"}]}""";
}
