namespace Streams.Broker.Security.Authentication.OAuthBearer;

/// <summary>A bearer token that passed validation.</summary>
/// <param name="PrincipalName">The value of the principal claim (<c>sub</c> unless configured otherwise).</param>
/// <param name="ExpiresAtMs">The <c>exp</c> claim in Unix milliseconds: the session ends then at the latest.</param>
/// <param name="Scope">The token's scope values (empty when it has no scope claim).</param>
internal sealed record OAuthBearerToken(string PrincipalName, long ExpiresAtMs, IReadOnlySet<string> Scope);

/// <summary>Why a token was refused, in RFC 7628's error terms.</summary>
/// <param name="Status"><c>invalid_token</c>, or <c>insufficient_scope</c> when a required scope value is missing.</param>
/// <param name="Scope">The required scope (space-separated), with <c>insufficient_scope</c>.</param>
/// <param name="Description">What was wrong, for the operator and the developer (the token is unsecured anyway).</param>
internal sealed record OAuthBearerRefusal(string Status, string? Scope, string Description)
{
    public static OAuthBearerRefusal InvalidToken(string description) => new("invalid_token", null, description);
}
