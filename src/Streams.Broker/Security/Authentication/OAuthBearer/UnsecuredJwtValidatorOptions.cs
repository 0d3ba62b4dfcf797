using System.Globalization;

namespace Streams.Broker.Security.Authentication.OAuthBearer;

/// <summary>
/// The options of Kafka's unsecured validator, read from the <c>OAuthBearerLoginModule</c> JAAS entry of the listener
/// (<c>listener.name.&lt;l&gt;.oauthbearer.sasl.jaas.config</c>): <c>unsecuredValidatorPrincipalClaimName</c>
/// (default <c>sub</c>), <c>unsecuredValidatorScopeClaimName</c> (default <c>scope</c>),
/// <c>unsecuredValidatorRequiredScope</c> (space-separated) and <c>unsecuredValidatorAllowableClockSkewMs</c>
/// (default 0). Options for the client side of the module (<c>unsecuredLogin*</c>) are ignored, as a broker ignores them.
/// </summary>
internal sealed record UnsecuredJwtValidatorOptions(string PrincipalClaimName, string ScopeClaimName, IReadOnlyList<string> RequiredScope, int AllowableClockSkewMs)
{
    public const string LoginModule = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule";

    /// <summary>All defaults: principal from <c>sub</c>, no required scope, no clock skew.</summary>
    public static readonly UnsecuredJwtValidatorOptions Default = new("sub", "scope", [], 0);

    /// <exception cref="FormatException">A clock skew that is not a non-negative integer.</exception>
    public static UnsecuredJwtValidatorOptions FromJaasOptions(IReadOnlyDictionary<string, string> options)
    {
        string? Option(string name) => options.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        var skewText = Option("unsecuredValidatorAllowableClockSkewMs");
        var skew = 0;
        if (skewText is not null && (!int.TryParse(skewText, NumberStyles.Integer, CultureInfo.InvariantCulture, out skew) || skew < 0))
        {
            throw new FormatException($"unsecuredValidatorAllowableClockSkewMs must be a non-negative number of milliseconds, got '{skewText}'");
        }

        return new UnsecuredJwtValidatorOptions(
            Option("unsecuredValidatorPrincipalClaimName") ?? Default.PrincipalClaimName,
            Option("unsecuredValidatorScopeClaimName") ?? Default.ScopeClaimName,
            Option("unsecuredValidatorRequiredScope")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [],
            skew);
    }
}
