namespace Streams.Worker;

/// <summary>How the topology's outputs relate to its inputs after a crash.</summary>
public enum ProcessingGuaranteeMode
{
    /// <summary>Nothing lost; an input processed just before a crash may produce its outputs again.</summary>
    AtLeastOnce,

    /// <summary>Nothing lost and nothing duplicated: outputs and input offsets commit together in a transaction.</summary>
    ExactlyOnce,
}
