using System.Buffers.Binary;
using System.Text;

namespace Streams.Broker.Groups;

/// <summary>
/// The "consumer" embedded protocol (ConsumerProtocolSubscription). The broker treats subscriptions as opaque
/// except here: OffsetDelete must know which topics an active group is subscribed to.
/// </summary>
internal static class ConsumerProtocol
{
    public const string ProtocolType = "consumer";

    /// <summary>
    /// The topics of a subscription of any version (later versions only append fields, so trailing bytes are
    /// ignored); null when the bytes are not a subscription.
    /// </summary>
    public static List<string>? TryReadSubscriptionTopics(ReadOnlySpan<byte> metadata)
    {
        try
        {
            if (metadata.Length < 6 || BinaryPrimitives.ReadInt16BigEndian(metadata) < 0)
            {
                return null;
            }

            var count = BinaryPrimitives.ReadInt32BigEndian(metadata[2..]);
            var position = 6;
            if (count < 0 || count > metadata.Length)
            {
                return null;
            }

            var topics = new List<string>(count);
            for (var i = 0; i < count; i++)
            {
                var length = BinaryPrimitives.ReadInt16BigEndian(metadata[position..]);
                position += 2;
                if (length < 0)
                {
                    return null;
                }

                topics.Add(Encoding.UTF8.GetString(metadata.Slice(position, length)));
                position += length;
            }

            return topics;
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
