using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;

namespace Streams.Broker.Security.Authentication.OAuthBearer;

/// <summary>
/// Validates unsecured JWTs (RFC 7519 with <c>"alg":"none"</c> and an empty signature: header and claims,
/// base64url, then a trailing dot) the way Kafka's <c>OAuthBearerUnsecuredValidatorCallbackHandler</c> does: the
/// principal claim must be a string; <c>exp</c> is required and must lie after now minus the allowed clock skew;
/// <c>iat</c>, when present, must not lie after now plus the skew and must precede <c>exp</c>; the scope claim
/// (a space-separated string or a list of strings) must hold every required scope value. For development only:
/// anyone can write such a token for any principal.
/// </summary>
internal sealed class UnsecuredJwtValidator(UnsecuredJwtValidatorOptions options)
{
    public UnsecuredJwtValidatorOptions Options => options;

    /// <summary>The token, or why it is refused.</summary>
    public (OAuthBearerToken? Token, OAuthBearerRefusal? Refusal) Validate(string compact, long nowMs)
    {
        JsonElement claims;
        try
        {
            claims = ReadClaims(compact);
        }
        catch (FormatException ex)
        {
            return (null, OAuthBearerRefusal.InvalidToken(ex.Message));
        }

        var principalClaim = options.PrincipalClaimName;
        if (!claims.TryGetProperty(principalClaim, out var principal))
        {
            return (null, OAuthBearerRefusal.InvalidToken($"the token has no '{principalClaim}' claim (the principal)"));
        }

        if (principal.ValueKind != JsonValueKind.String || principal.GetString() is not { Length: > 0 } principalName)
        {
            return (null, OAuthBearerRefusal.InvalidToken($"the '{principalClaim}' claim (the principal) must be a non-empty string"));
        }

        if (!TryNumber(claims, "exp", out var exp, out var expRefusal))
        {
            return (null, expRefusal ?? OAuthBearerRefusal.InvalidToken("the token has no 'exp' claim (expiration time, required)"));
        }

        if (!TryNumber(claims, "iat", out var iat, out var iatRefusal) && iatRefusal is not null)
        {
            return (null, iatRefusal);
        }

        var skew = options.AllowableClockSkewMs;
        var expiresAtMs = (long)Math.Floor(exp * 1000);
        if (nowMs - skew >= expiresAtMs)
        {
            return (null, OAuthBearerRefusal.InvalidToken(
                $"the token expired at {Time(expiresAtMs)} (now {Time(nowMs)}, allowed clock skew {skew} ms)"));
        }

        if (iatRefusal is null && claims.TryGetProperty("iat", out _))
        {
            if (iat * 1000 > nowMs + skew)
            {
                return (null, OAuthBearerRefusal.InvalidToken(
                    $"the token was issued in the future, at {Time((long)(iat * 1000))} (now {Time(nowMs)}, allowed clock skew {skew} ms)"));
            }

            if (exp <= iat)
            {
                return (null, OAuthBearerRefusal.InvalidToken("the token's 'exp' is not after its 'iat'"));
            }
        }

        var scope = Scope(claims, out var scopeRefusal);
        if (scopeRefusal is not null)
        {
            return (null, scopeRefusal);
        }

        var missing = options.RequiredScope.Where(s => !scope.Contains(s)).ToList();
        if (missing.Count > 0)
        {
            var required = string.Join(' ', options.RequiredScope);
            return (null, new OAuthBearerRefusal("insufficient_scope", required,
                $"the token's scope [{string.Join(' ', scope.Order(StringComparer.Ordinal))}] lacks the required {string.Join(' ', missing)} (required: {required})"));
        }

        return (new OAuthBearerToken(principalName, expiresAtMs, scope), null);
    }

    private static JsonElement ReadClaims(string compact)
    {
        var parts = compact.Split('.');
        if (parts.Length != 3)
        {
            throw new FormatException("an unsecured JWT is three dot-separated parts (header.claims.), the last one empty");
        }

        if (parts[2].Length != 0)
        {
            throw new FormatException("the token is signed; this listener takes unsecured JWTs (\"alg\":\"none\", empty signature) only");
        }

        var header = JsonObject(parts[0], "header");
        if (!header.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != "none")
        {
            throw new FormatException("the JWT header must say \"alg\":\"none\" (an unsecured JWT)");
        }

        return JsonObject(parts[1], "claims");
    }

    private static JsonElement JsonObject(string base64Url, string part)
    {
        JsonElement element;
        try
        {
            element = JsonDocument.Parse(Base64Url.DecodeFromChars(base64Url)).RootElement;
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            throw new FormatException($"the JWT {part} is not base64url-encoded JSON", ex);
        }

        return element.ValueKind == JsonValueKind.Object ? element : throw new FormatException($"the JWT {part} is not a JSON object");
    }

    /// <summary>False with a null refusal when the claim is absent; false with a refusal when it is not a number.</summary>
    private static bool TryNumber(JsonElement claims, string name, out double value, out OAuthBearerRefusal? refusal)
    {
        value = 0;
        refusal = null;
        if (!claims.TryGetProperty(name, out var claim))
        {
            return false;
        }

        if (claim.ValueKind != JsonValueKind.Number || !claim.TryGetDouble(out value) || !double.IsFinite(value))
        {
            refusal = OAuthBearerRefusal.InvalidToken($"the '{name}' claim must be a number of seconds since 1970");
            return false;
        }

        return true;
    }

    private HashSet<string> Scope(JsonElement claims, out OAuthBearerRefusal? refusal)
    {
        refusal = null;
        var scope = new HashSet<string>(StringComparer.Ordinal);
        if (!claims.TryGetProperty(options.ScopeClaimName, out var claim))
        {
            return scope;
        }

        if (claim.ValueKind == JsonValueKind.String)
        {
            scope.UnionWith(claim.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }
        else if (claim.ValueKind == JsonValueKind.Array && claim.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
        {
            scope.UnionWith(claim.EnumerateArray().Select(e => e.GetString()!).Where(s => s.Length > 0));
        }
        else
        {
            refusal = OAuthBearerRefusal.InvalidToken($"the '{options.ScopeClaimName}' claim (the scope) must be a string or a list of strings");
        }

        return scope;
    }

    private static string Time(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
}
