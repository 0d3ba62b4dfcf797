using Streams.Broker.Protocol;

namespace Streams.Broker.Tests.Protocol;

/// <summary>Writes and reads generated messages the way the connection does: flexible encodings from the definition's first flexible version.</summary>
internal static class MessageCodec
{
    public static bool IsFlexible<T>(short version)
        where T : IKafkaMessage<T> => version >= T.FirstFlexibleVersion;

    public static byte[] Write<T>(T message, short version)
        where T : IKafkaMessage<T>
    {
        using var writer = new KafkaWriter { Flexible = IsFlexible<T>(version) };
        message.Write(writer, version);
        return writer.WrittenMemory.ToArray();
    }

    /// <summary>Reads one message and checks it used every byte.</summary>
    public static T Read<T>(ReadOnlyMemory<byte> bytes, short version)
        where T : IKafkaMessage<T>
    {
        var reader = new KafkaReader(bytes, IsFlexible<T>(version));
        var message = T.Read(ref reader, version);
        Assert.Equal(0, reader.Remaining);
        return message;
    }
}
