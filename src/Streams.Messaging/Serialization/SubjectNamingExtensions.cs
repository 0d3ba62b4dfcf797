using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
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

    /// <summary>
    /// Settings for Confluent's <see cref="AvroSerializer{T}"/> on a catalog topic. With <c>T</c> =
    /// <c>ISpecificRecord</c> it writes every record type of a multi-type topic under its own subject (<see cref="SubjectNaming.TopicRecord"/>).
    /// </summary>
    /// <param name="naming">The topic's subject naming.</param>
    /// <param name="autoRegister">Register unknown schemas (subject to the registry's compatibility rules); when false, only look them up.</param>
    public static AvroSerializerConfig ToSerializerConfig(this SubjectNaming naming, bool autoRegister = true) =>
        new() { SubjectNameStrategy = naming.ToConfluent(), AutoRegisterSchemas = autoRegister };
}
