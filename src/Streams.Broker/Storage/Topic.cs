using Streams.Broker.Configs;

namespace Streams.Broker.Storage;

/// <summary>A topic: its id, effective config and partitions. Config and partition list are swapped atomically on change.</summary>
internal sealed class Topic(string name, Guid id, TopicConfig config)
{
    private TopicConfig _config = config;
    private Partition[] _partitions = [];

    public string Name { get; } = name;

    public Guid Id { get; } = id;

    public bool IsInternal => TopicNames.IsInternal(Name);

    public TopicConfig Config
    {
        get => Volatile.Read(ref _config);
        set => Volatile.Write(ref _config, value);
    }

    public IReadOnlyList<Partition> Partitions => Volatile.Read(ref _partitions);

    public Partition? this[int index] => index >= 0 && index < Partitions.Count ? Partitions[index] : null;

    public void SetPartitions(Partition[] partitions) => Volatile.Write(ref _partitions, partitions);
}
