namespace Streams.Broker.Configs;

/// <summary>
/// The listener, TLS and SASL settings under Kafka's names (issue 12). Each is also accepted per listener as
/// <c>listener.name.&lt;listener&gt;.&lt;name&gt;</c>, and the JAAS login of a mechanism as
/// <c>listener.name.&lt;listener&gt;.&lt;mechanism&gt;.sasl.jaas.config</c>. Values are checked as a whole by
/// <see cref="Network.ListenerConfig"/> when the broker starts.
/// </summary>
internal static class SecuritySettingDefs
{
    public static readonly BrokerSettingDef Listeners = new("listeners", ConfigType.List, "", "Listeners as NAME://host:port, comma-separated (port 0 picks a free port). Empty: one PLAINTEXT listener on the broker's Host and Port.");
    public static readonly BrokerSettingDef AdvertisedListeners = new("advertised.listeners", ConfigType.List, "", "What Metadata tells clients of each listener, NAME://host:port; a listener not named advertises its bound address.");
    public static readonly BrokerSettingDef ListenerSecurityProtocolMap = new("listener.security.protocol.map", ConfigType.List, "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL", "Security protocol of each listener name, NAME:PROTOCOL pairs.");

    // Kafka's default is GSSAPI, which needs Kerberos; the embedded broker serves every mechanism it has instead.
    public static readonly BrokerSettingDef SaslEnabledMechanisms = new("sasl.enabled.mechanisms", ConfigType.List, "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512", "SASL mechanisms a SASL listener accepts: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER (unsecured JWTs, for development; GSSAPI is not supported).");
    public static readonly BrokerSettingDef SaslJaasConfig = new("sasl.jaas.config", ConfigType.String, null, "JAAS login of a mechanism: PLAIN users (PlainLoginModule with user_<name>=\"<password>\" options) or the OAUTHBEARER unsecured validator's options (OAuthBearerLoginModule with unsecuredValidator*=...); per listener and mechanism as listener.name.<l>.<mechanism>.sasl.jaas.config.");
    public static readonly BrokerSettingDef SaslServerMaxReceiveSize = new("sasl.server.max.receive.size", ConfigType.Int, "524288", "Largest request a client may send before it has authenticated on a SASL listener.", 1, int.MaxValue);
    public static readonly BrokerSettingDef ConnectionsMaxReauthMs = new("connections.max.reauth.ms", ConfigType.Long, "0", "Lifetime of a SASL session; a client must re-authenticate before it ends (0: sessions never expire).", 0);

    public static readonly BrokerSettingDef SslKeystoreType = new("ssl.keystore.type", ConfigType.String, null, "PEM or PKCS12 (default: PEM when ssl.keystore.certificate.chain or a .pem location is given, else PKCS12).");
    public static readonly BrokerSettingDef SslKeystoreLocation = new("ssl.keystore.location", ConfigType.String, null, "Server certificate and key: a PKCS12 file, or a PEM file holding the chain and the key.");
    public static readonly BrokerSettingDef SslKeystorePassword = new("ssl.keystore.password", ConfigType.String, null, "Password of the PKCS12 keystore.");
    public static readonly BrokerSettingDef SslKeyPassword = new("ssl.key.password", ConfigType.String, null, "Password of the private key (an encrypted PEM key, or the PKCS12 key when it differs from the store's).");
    public static readonly BrokerSettingDef SslKeystoreCertificateChain = new("ssl.keystore.certificate.chain", ConfigType.String, null, "Server certificate chain as inline PEM (ssl.keystore.type=PEM).");
    public static readonly BrokerSettingDef SslKeystoreKey = new("ssl.keystore.key", ConfigType.String, null, "Server private key as inline PEM (ssl.keystore.type=PEM).");
    public static readonly BrokerSettingDef SslTruststoreType = new("ssl.truststore.type", ConfigType.String, null, "PEM or PKCS12.");
    public static readonly BrokerSettingDef SslTruststoreLocation = new("ssl.truststore.location", ConfigType.String, null, "CA certificates trusted for client certificates: a PEM or PKCS12 file.");
    public static readonly BrokerSettingDef SslTruststorePassword = new("ssl.truststore.password", ConfigType.String, null, "Password of a PKCS12 truststore.");
    public static readonly BrokerSettingDef SslTruststoreCertificates = new("ssl.truststore.certificates", ConfigType.String, null, "Trusted CA certificates as inline PEM (ssl.truststore.type=PEM).");
    public static readonly BrokerSettingDef SslClientAuth = new("ssl.client.auth", ConfigType.String, "none", "Client certificates: none, requested or required. The principal of a client with a certificate is User:<subject DN>.");
    public static readonly BrokerSettingDef SslPrincipalMappingRules = new("ssl.principal.mapping.rules", ConfigType.String, "DEFAULT", "Only DEFAULT (the full RFC 2253 subject) is supported.");
    public static readonly BrokerSettingDef SslEnabledProtocols = new("ssl.enabled.protocols", ConfigType.List, "TLSv1.2,TLSv1.3", "TLS versions offered: TLSv1.2, TLSv1.3.");

    public static readonly IReadOnlyList<BrokerSettingDef> All =
    [
        Listeners, AdvertisedListeners, ListenerSecurityProtocolMap, SaslEnabledMechanisms, SaslJaasConfig, SaslServerMaxReceiveSize, ConnectionsMaxReauthMs,
        SslKeystoreType, SslKeystoreLocation, SslKeystorePassword, SslKeyPassword, SslKeystoreCertificateChain, SslKeystoreKey,
        SslTruststoreType, SslTruststoreLocation, SslTruststorePassword, SslTruststoreCertificates, SslClientAuth, SslPrincipalMappingRules,
        SslEnabledProtocols,
    ];

    /// <summary>The ones Kafka also reads per listener.</summary>
    public static readonly IReadOnlyList<BrokerSettingDef> PerListener =
    [
        SaslEnabledMechanisms, SaslServerMaxReceiveSize, ConnectionsMaxReauthMs,
        SslKeystoreType, SslKeystoreLocation, SslKeystorePassword, SslKeyPassword, SslKeystoreCertificateChain, SslKeystoreKey,
        SslTruststoreType, SslTruststoreLocation, SslTruststorePassword, SslTruststoreCertificates, SslClientAuth, SslPrincipalMappingRules,
        SslEnabledProtocols,
    ];

    /// <summary>Secrets: reported as sensitive (no value) by DescribeConfigs, as Kafka does for password-type configs.</summary>
    public static bool IsSensitive(string name) =>
        name.EndsWith("password", StringComparison.Ordinal) || name.EndsWith("ssl.keystore.key", StringComparison.Ordinal) || name.EndsWith("sasl.jaas.config", StringComparison.Ordinal);

    /// <summary>A per-listener setting (after <c>listener.name.&lt;l&gt;.</c>), including <c>&lt;mechanism&gt;.sasl.jaas.config</c>.</summary>
    public static BrokerSettingDef? FindPerListener(string setting) =>
        setting.EndsWith("." + SaslJaasConfig.Name, StringComparison.Ordinal) ? SaslJaasConfig : PerListener.FirstOrDefault(d => d.Name == setting);
}
