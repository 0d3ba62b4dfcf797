using Streams.Broker.Protocol;

namespace Streams.Broker.Records;

/// <param name="Error"><see cref="ErrorCode.None"/> when the batch may be appended.</param>
/// <param name="Message">Why the batch was rejected, for the ProduceResponse error message and logs.</param>
/// <param name="Header">The parsed header, or default when the data was too short to hold one.</param>
internal readonly record struct BatchValidationResult(ErrorCode Error, string? Message, RecordBatchHeader Header);
