namespace Streams.Broker.Security.Authorization;

/// <summary>How an ACL's resource name is matched, numbered as on the wire (Kafka's <c>PatternType</c>).</summary>
internal enum AclPatternType : sbyte
{
    Unknown = 0,

    /// <summary>Filters only: any pattern type.</summary>
    Any = 1,

    /// <summary>Filters only: every ACL that would apply to the named resource (literal, wildcard and prefixes).</summary>
    Match = 2,

    /// <summary>The name itself, or <c>*</c> for every resource of the type.</summary>
    Literal = 3,

    /// <summary>Every resource whose name starts with the name.</summary>
    Prefixed = 4,
}
