namespace Streams.Operations;

/// <summary>
/// The cluster's state does not allow the operation (a topic that does not exist, a group that is active, a change
/// the brokers refused). The message is one line for a person; the request itself may be fine to try again later.
/// </summary>
public sealed class OperationFailedException : Exception
{
    /// <summary>Creates the exception with a message for the person who asked.</summary>
    public OperationFailedException(string message)
        : base(message)
    {
    }
}
