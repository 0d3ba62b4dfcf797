using Streams.Broker.Security.Authentication.Scram;

namespace Streams.Broker.Security.Authentication.Sasl;

/// <summary>The SASL settings of one SASL_PLAINTEXT or SASL_SSL listener.</summary>
/// <param name="EnabledMechanisms"><c>sasl.enabled.mechanisms</c> (upper case).</param>
/// <param name="PlainUsers">PLAIN users from the listener's PlainLoginModule JAAS entry.</param>
/// <param name="MaxReauthMs"><c>connections.max.reauth.ms</c>: the session lifetime, 0 for sessions that never expire.</param>
internal sealed record SaslListenerSettings(IReadOnlyList<string> EnabledMechanisms, IReadOnlyDictionary<string, string> PlainUsers, long MaxReauthMs)
{
    /// <summary>Mechanisms this broker implements; GSSAPI (Kerberos) and OAUTHBEARER are not among them.</summary>
    public static readonly IReadOnlyList<string> Supported = [PlainSaslServer.Name, ScramMechanism.Sha256.Name, ScramMechanism.Sha512.Name];

    /// <summary>A fresh server for one exchange of an enabled mechanism.</summary>
    public ISaslServer CreateServer(string mechanism, ScramCredentialStore credentials) =>
        mechanism == PlainSaslServer.Name ? new PlainSaslServer(PlainUsers)
        : new ScramSaslServer(ScramMechanism.FromName(mechanism) ?? throw new ArgumentException($"{mechanism} is not supported"), credentials);
}
