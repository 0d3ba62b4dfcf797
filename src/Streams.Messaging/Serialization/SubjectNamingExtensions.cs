using Confluent.SchemaRegistry;
using Streams.Contracts.Topics;

namespace Streams.Messaging.Serialization;

/// <summary>The catalog's <see cref="SubjectNaming"/> as the registry client's <see cref="SubjectNameStrategy"/>.</summary>
public static class SubjectNamingExtensions
{
    /// <summary>The Confluent strategy of the same name, for serializers and subject look-ups.</summary>
    public static SubjectNameStrategy ToConfluent(this SubjectNaming naming) => naming switch
    {
        SubjectNaming.Topic => SubjectNameStrategy.Topic,
        SubjectNaming.TopicRecord => SubjectNameStrategy.TopicRecord,
        _ => throw new ArgumentOutOfRangeException(nameof(naming), naming, null),
    };
}
