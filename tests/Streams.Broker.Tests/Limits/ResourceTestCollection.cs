namespace Streams.Broker.Tests.Limits;

/// <summary>
/// Tests that load the machine on purpose (the fuzzer, a broker at its file-handle limit, hundreds of megabytes of
/// half-sent requests) run on their own, so the timing-sensitive group tests never share the CPU with them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ResourceTestCollection
{
    public const string Name = "resource tests";
}
