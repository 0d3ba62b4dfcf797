namespace Streams.Broker.Network;

/// <summary>Kafka's security protocols: what a listener does before a connection's first request.</summary>
public enum SecurityProtocol
{
    /// <summary>No encryption, no authentication (principal User:ANONYMOUS).</summary>
    Plaintext,

    /// <summary>TLS; the principal is the client certificate's subject, or User:ANONYMOUS without one.</summary>
    Ssl,

    /// <summary>SASL authentication without encryption.</summary>
    SaslPlaintext,

    /// <summary>TLS, then SASL authentication.</summary>
    SaslSsl,
}
