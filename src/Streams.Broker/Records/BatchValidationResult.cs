using Streams.Broker.Protocol;

namespace Streams.Broker.Records;

/// <param name="Error"><see cref="ErrorCode.None"/> when the batch may be appended.</param>
/// <param name="Message">Why the batch was rejected, for the ProduceResponse error message and logs.</param>
/// <param name="Header">The parsed header, or default when the data was too short to hold one.</param>
/// <param name="RecordErrors">
/// The records that got the whole batch refused (KIP-467), by their index in the batch, when the fault lies with
/// individual records rather than the batch; null otherwise.
/// </param>
internal readonly record struct BatchValidationResult(ErrorCode Error, string? Message, RecordBatchHeader Header, IReadOnlyList<RecordError>? RecordErrors = null);

/// <summary>One record that got its batch refused: its index in the batch and why (Produce v8+ RecordErrors).</summary>
internal readonly record struct RecordError(int BatchIndex, string Message);
