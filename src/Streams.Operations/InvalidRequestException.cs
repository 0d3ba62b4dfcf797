namespace Streams.Operations;

/// <summary>
/// The request is wrong whatever the cluster's state (a position that is neither an offset nor a time, a malformed
/// plan file): asking again unchanged fails again. A command line reports it as a usage error.
/// </summary>
public sealed class InvalidRequestException : Exception
{
    /// <summary>Creates the exception with a message for the person who asked.</summary>
    public InvalidRequestException(string message)
        : base(message)
    {
    }
}
