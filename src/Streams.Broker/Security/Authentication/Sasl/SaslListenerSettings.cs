using Streams.Broker.Security.Authentication.OAuthBearer;
using Streams.Broker.Security.Authentication.Scram;

namespace Streams.Broker.Security.Authentication.Sasl;

/// <summary>The SASL settings of one SASL_PLAINTEXT or SASL_SSL listener.</summary>
/// <param name="EnabledMechanisms"><c>sasl.enabled.mechanisms</c> (upper case).</param>
/// <param name="PlainUsers">PLAIN users from the listener's PlainLoginModule JAAS entry.</param>
/// <param name="MaxReauthMs"><c>connections.max.reauth.ms</c>: the session lifetime, 0 for sessions that never expire.</param>
/// <param name="OAuthBearer">The unsecured-JWT validator's options from the listener's OAuthBearerLoginModule entry.</param>
internal sealed record SaslListenerSettings(
    IReadOnlyList<string> EnabledMechanisms, IReadOnlyDictionary<string, string> PlainUsers, long MaxReauthMs, UnsecuredJwtValidatorOptions OAuthBearer)
{
    /// <summary>Mechanisms this broker implements; GSSAPI (Kerberos) is not among them.</summary>
    public static readonly IReadOnlyList<string> Supported = [PlainSaslServer.Name, ScramMechanism.Sha256.Name, ScramMechanism.Sha512.Name, OAuthBearerSaslServer.Name];

    private readonly UnsecuredJwtValidator _validator = new(OAuthBearer);

    /// <summary>A fresh server for one exchange of an enabled mechanism.</summary>
    public ISaslServer CreateServer(string mechanism, ScramCredentialStore credentials, TimeProvider time) => mechanism switch
    {
        PlainSaslServer.Name => new PlainSaslServer(PlainUsers),
        OAuthBearerSaslServer.Name => new OAuthBearerSaslServer(_validator, time),
        _ => new ScramSaslServer(ScramMechanism.FromName(mechanism) ?? throw new ArgumentException($"{mechanism} is not supported"), credentials),
    };
}
