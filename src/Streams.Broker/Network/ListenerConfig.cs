using System.Globalization;
using System.Net;
using Streams.Broker.Configs;
using Streams.Broker.Security.Authentication.OAuthBearer;
using Streams.Broker.Security.Authentication.Sasl;
using Streams.Broker.Security.Authentication.Tls;

namespace Streams.Broker.Network;

/// <summary>
/// One listener as configured: Kafka's <c>listeners</c> entry (NAME://host:port), its security protocol from
/// <c>listener.security.protocol.map</c>, its <c>advertised.listeners</c> entry, and its TLS and SASL settings.
/// </summary>
internal sealed record ListenerConfig(
    string Name, SecurityProtocol Protocol, IPAddress Address, string Host, int Port, string? AdvertisedHost, int? AdvertisedPort,
    TlsListenerSettings? Tls, SaslListenerSettings? Sasl)
{
    public static string ProtocolName(SecurityProtocol protocol) => protocol switch
    {
        SecurityProtocol.Plaintext => "PLAINTEXT",
        SecurityProtocol.Ssl => "SSL",
        SecurityProtocol.SaslPlaintext => "SASL_PLAINTEXT",
        _ => "SASL_SSL",
    };

    /// <summary>
    /// The broker's listeners: those of <c>listeners</c>, or one PLAINTEXT listener on <paramref name="host"/>:
    /// <paramref name="port"/> (the <c>--listen</c> shorthand) when it is not set.
    /// </summary>
    /// <exception cref="ArgumentException">A listener setting is malformed or inconsistent; the message names it.</exception>
    public static IReadOnlyList<ListenerConfig> Resolve(BrokerConfig config, string host, int port, string? advertisedHost, int? advertisedPort)
    {
        var protocols = ProtocolMap(config.ListenerValue("", SecuritySettingDefs.ListenerSecurityProtocolMap.Name) ?? "");
        var listeners = config.ListenerValue("", SecuritySettingDefs.Listeners.Name) ?? "";
        var entries = listeners.Length == 0
            ? [("PLAINTEXT", host, port)]
            : Entries(SecuritySettingDefs.Listeners.Name, listeners);
        var advertised = Entries(SecuritySettingDefs.AdvertisedListeners.Name, config.ListenerValue("", SecuritySettingDefs.AdvertisedListeners.Name) ?? "")
            .ToDictionary(e => e.Name, e => (e.Host, e.Port), StringComparer.Ordinal);
        if (entries.GroupBy(e => e.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new ArgumentException($"Invalid broker setting listeners: listener name {duplicate.Key} is used more than once");
        }

        if (advertised.Keys.FirstOrDefault(name => entries.All(e => e.Name != name)) is { } stray)
        {
            throw new ArgumentException($"Invalid broker setting advertised.listeners: {stray} is not one of the listeners");
        }

        var result = new List<ListenerConfig>();
        foreach (var (name, entryHost, entryPort) in entries)
        {
            if (!protocols.TryGetValue(name, out var protocol))
            {
                throw new ArgumentException($"Invalid broker setting listeners: no security protocol for listener {name} in listener.security.protocol.map");
            }

            var bindHost = entryHost.Length == 0 ? "0.0.0.0" : entryHost;
            var address = bindHost == "localhost" ? IPAddress.Loopback
                : IPAddress.TryParse(bindHost, out var parsed) ? parsed
                : throw new ArgumentException($"Invalid broker setting listeners: {name} must listen on an IP address or localhost, got '{bindHost}'");
            var (advHost, advPort) = advertised.TryGetValue(name, out var adv) ? (adv.Host, (int?)adv.Port)
                : listeners.Length == 0 ? (advertisedHost, advertisedPort)
                : (null, null);
            var tls = protocol is SecurityProtocol.Ssl or SecurityProtocol.SaslSsl ? TlsListenerSettings.Load(config, name) : null;
            var sasl = protocol is SecurityProtocol.SaslPlaintext or SecurityProtocol.SaslSsl ? SaslSettings(config, name) : null;
            result.Add(new ListenerConfig(name, protocol, address, bindHost, entryPort, advHost, advPort, tls, sasl));
        }

        return result;
    }

    private static SaslListenerSettings SaslSettings(BrokerConfig config, string listener)
    {
        var mechanisms = (config.ListenerValue(listener, SecuritySettingDefs.SaslEnabledMechanisms.Name) ?? "")
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(m => m.ToUpperInvariant())
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (mechanisms.Count == 0)
        {
            throw new ArgumentException($"Invalid broker setting sasl.enabled.mechanisms: SASL listener {listener} enables no mechanism");
        }

        foreach (var mechanism in mechanisms.Where(m => !SaslListenerSettings.Supported.Contains(m)))
        {
            throw new ArgumentException(mechanism == "GSSAPI"
                ? $"Invalid broker setting sasl.enabled.mechanisms: GSSAPI (Kerberos) is not supported by the embedded broker; use {string.Join(", ", SaslListenerSettings.Supported)}"
                : $"Invalid broker setting sasl.enabled.mechanisms: {mechanism} is not supported; use {string.Join(", ", SaslListenerSettings.Supported)}");
        }

        // Each mechanism's login: listener.name.<l>.<mechanism>.sasl.jaas.config, else the broker-wide sasl.jaas.config
        // when it names that mechanism's login module.
        var plain = Jaas(config, listener, PlainSaslServer.Name, JaasConfig.PlainLoginModule);
        var oauth = Jaas(config, listener, OAuthBearerSaslServer.Name, UnsecuredJwtValidatorOptions.LoginModule);
        var oauthOptions = UnsecuredJwtValidatorOptions.Default;
        if (oauth is not null)
        {
            try
            {
                oauthOptions = UnsecuredJwtValidatorOptions.FromJaasOptions(oauth.Options);
            }
            catch (FormatException ex)
            {
                throw new ArgumentException($"Invalid broker setting listener.name.{listener.ToLowerInvariant()}.oauthbearer.{SecuritySettingDefs.SaslJaasConfig.Name}: {ex.Message}", ex);
            }
        }

        var reauth = long.Parse(config.ListenerValue(listener, SecuritySettingDefs.ConnectionsMaxReauthMs.Name) ?? "0", CultureInfo.InvariantCulture);
        return new SaslListenerSettings(mechanisms, plain?.PlainUsers() ?? new Dictionary<string, string>(), reauth, oauthOptions);
    }

    /// <summary>The JAAS entry of one mechanism on a listener, when it is that mechanism's login module.</summary>
    private static JaasConfig? Jaas(BrokerConfig config, string listener, string mechanism, string loginModule)
    {
        var jaasName = mechanism.ToLowerInvariant() + "." + SecuritySettingDefs.SaslJaasConfig.Name;
        var jaasText = config.ListenerOnlyValue(listener, jaasName) ?? config.ListenerValue("", SecuritySettingDefs.SaslJaasConfig.Name);
        if (jaasText is null)
        {
            return null;
        }

        JaasConfig jaas;
        try
        {
            jaas = JaasConfig.Parse(jaasText);
        }
        catch (FormatException ex)
        {
            throw new ArgumentException($"Invalid broker setting listener.name.{listener.ToLowerInvariant()}.{jaasName}: {ex.Message}", ex);
        }

        return jaas.LoginModule == loginModule ? jaas : null;
    }

    private static Dictionary<string, SecurityProtocol> ProtocolMap(string value)
    {
        var map = new Dictionary<string, SecurityProtocol>(StringComparer.Ordinal);
        foreach (var pair in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            var protocol = colon <= 0 ? null : pair[(colon + 1)..].ToUpperInvariant() switch
            {
                "PLAINTEXT" => SecurityProtocol.Plaintext,
                "SSL" => SecurityProtocol.Ssl,
                "SASL_PLAINTEXT" => SecurityProtocol.SaslPlaintext,
                "SASL_SSL" => SecurityProtocol.SaslSsl,
                _ => (SecurityProtocol?)null,
            };
            map[colon <= 0 ? pair : pair[..colon].ToUpperInvariant()] = protocol
                ?? throw new ArgumentException($"Invalid broker setting listener.security.protocol.map: '{pair}' is not NAME:PROTOCOL with PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL");
        }

        return map;
    }

    private static List<(string Name, string Host, int Port)> Entries(string setting, string value)
    {
        var entries = new List<(string, string, int)>();
        foreach (var item in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var scheme = item.IndexOf("://", StringComparison.Ordinal);
            var colon = item.LastIndexOf(':');
            if (scheme <= 0 || colon <= scheme + 2
                || !int.TryParse(item.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
            {
                throw new ArgumentException($"Invalid broker setting {setting}: '{item}' is not NAME://host:port");
            }

            entries.Add((item[..scheme].ToUpperInvariant(), item[(scheme + 3)..colon].Trim('[', ']'), port));
        }

        return entries;
    }
}
