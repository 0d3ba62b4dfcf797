using System.Security.Cryptography;
using System.Text;

namespace Streams.Messaging.Events;

/// <summary>
/// Ids of derived events: a name-based UUID (RFC 9562 version 5, SHA-1) of the input event's id and the output's type,
/// so processing the same input again (at-least-once delivery, a replay, a reset topology) yields the same id and
/// every consumer can de-duplicate by it.
/// </summary>
public static class EventIds
{
    /// <summary>The namespace every Streams derived-event id is named in (a fixed random UUID, never to change).</summary>
    public static readonly Guid Namespace = new("4f0c2a9e-7b1d-4c53-9a3e-5d2f8e61b7c4");

    /// <summary>The id of the <paramref name="outputType"/> event derived from the event <paramref name="inputEventId"/>.</summary>
    public static string Derived(string inputEventId, string outputType)
    {
        ArgumentException.ThrowIfNullOrEmpty(inputEventId);
        ArgumentException.ThrowIfNullOrEmpty(outputType);
        return NameBased(Namespace, $"{inputEventId}\n{outputType}").ToString();
    }

    /// <summary>RFC 9562 §5.5: SHA-1 over the namespace's bytes (network order) and the name, version 5, variant 10.</summary>
    public static Guid NameBased(Guid @namespace, string name)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[16 + nameBytes.Length];
        @namespace.TryWriteBytes(input, bigEndian: true, out _);
        nameBytes.CopyTo(input, 16);
        // SHA-1 is what version 5 is defined with; it names, it does not protect anything.
#pragma warning disable CA5350
        var hash = SHA1.HashData(input);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
