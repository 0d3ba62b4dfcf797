namespace Streams.Contracts;

/// <summary>
/// The event contracts: C# types generated at build time from the Avro schemas in <c>schemas/</c>
/// (for example <c>Streams.Contracts.Carts.ProductAddedToCart</c>), each carrying its own Avro schema.
/// </summary>
public static class ContractsAssembly
{
    /// <summary>Every generated record type, for registering schemas at start-up.</summary>
    public static IReadOnlyList<Type> RecordTypes { get; } =
        [.. typeof(ContractsAssembly).Assembly.GetTypes().Where(t => typeof(Avro.Specific.ISpecificRecord).IsAssignableFrom(t) && !t.IsAbstract)];
}
