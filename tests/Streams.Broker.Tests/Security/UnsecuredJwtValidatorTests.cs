using Streams.Broker.Security.Authentication.OAuthBearer;

namespace Streams.Broker.Tests.Security;

/// <summary>The unsecured-JWT rules, against a fixed clock.</summary>
public sealed class UnsecuredJwtValidatorTests
{
    private const long Now = 1_800_000_000_000;

    private static (OAuthBearerToken? Token, OAuthBearerRefusal? Refusal) Validate(object claims, UnsecuredJwtValidatorOptions? options = null, string alg = "none") =>
        new UnsecuredJwtValidator(options ?? UnsecuredJwtValidatorOptions.Default).Validate(AuthenticationOAuthBearerTests.Jwt(claims, alg), Now);

    private static UnsecuredJwtValidatorOptions Options(params (string Name, string Value)[] options) =>
        UnsecuredJwtValidatorOptions.FromJaasOptions(options.ToDictionary(o => o.Name, o => o.Value));

    [Fact]
    public void Exp_is_required_and_checked_with_the_allowed_clock_skew()
    {
        Assert.Contains("no 'exp' claim", Validate(new { sub = "a" }).Refusal!.Description, StringComparison.Ordinal);
        Assert.Contains("expired", Validate(new { sub = "a", exp = Now / 1000 }).Refusal!.Description, StringComparison.Ordinal);
        Assert.Equal(Now + 1, Validate(new { sub = "a", exp = (Now + 1) / 1000.0 }).Token!.ExpiresAtMs);

        var skew = Options(("unsecuredValidatorAllowableClockSkewMs", "2000"));
        Assert.NotNull(Validate(new { sub = "a", exp = (Now - 1999) / 1000.0 }, skew).Token);
        Assert.NotNull(Validate(new { sub = "a", exp = (Now - 2000) / 1000.0 }, skew).Refusal);
    }

    [Fact]
    public void Iat_is_optional_but_may_not_lie_in_the_future_nor_after_exp()
    {
        Assert.NotNull(Validate(new { sub = "a", iat = (Now - 5000) / 1000.0, exp = (Now + 5000) / 1000.0 }).Token);
        Assert.Contains("issued in the future", Validate(new { sub = "a", iat = (Now + 1000) / 1000.0, exp = (Now + 5000) / 1000.0 }).Refusal!.Description, StringComparison.Ordinal);
        Assert.NotNull(Validate(new { sub = "a", iat = (Now + 1000) / 1000.0, exp = (Now + 5000) / 1000.0 }, Options(("unsecuredValidatorAllowableClockSkewMs", "1000"))).Token);
        Assert.Contains("not after its 'iat'", Validate(new { sub = "a", iat = (Now - 1000) / 1000.0, exp = (Now - 1000) / 1000.0 }, Options(("unsecuredValidatorAllowableClockSkewMs", "5000"))).Refusal!.Description, StringComparison.Ordinal);
        Assert.Contains("must be a number", Validate(new { sub = "a", iat = "yesterday", exp = (Now + 5000) / 1000.0 }).Refusal!.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void The_principal_comes_from_the_configured_claim()
    {
        var exp = (Now + 60_000) / 1000.0;
        Assert.Equal("alice", Validate(new { sub = "alice", exp }).Token!.PrincipalName);
        var byEmail = Options(("unsecuredValidatorPrincipalClaimName", "email"));
        Assert.Equal("alice@example.com", Validate(new { sub = "alice", email = "alice@example.com", exp }, byEmail).Token!.PrincipalName);
        Assert.Contains("no 'email' claim", Validate(new { sub = "alice", exp }, byEmail).Refusal!.Description, StringComparison.Ordinal);
        Assert.Contains("non-empty string", Validate(new { sub = 42, exp }).Refusal!.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Required_scope_is_checked_against_a_string_or_list_scope_claim()
    {
        var exp = (Now + 60_000) / 1000.0;
        var required = Options(("unsecuredValidatorRequiredScope", "read write"));
        Assert.NotNull(Validate(new { sub = "a", scope = "write other read", exp }, required).Token);
        Assert.NotNull(Validate(new { sub = "a", scope = new[] { "read", "write" }, exp }, required).Token);

        var refusal = Validate(new { sub = "a", scope = new[] { "read" }, exp }, required).Refusal!;
        Assert.Equal(("insufficient_scope", "read write"), (refusal.Status, refusal.Scope));
        Assert.Equal("invalid_token", Validate(new { sub = "a", scope = 7, exp }, required).Refusal!.Status);

        var custom = Options(("unsecuredValidatorScopeClaimName", "roles"), ("unsecuredValidatorRequiredScope", "admin"));
        Assert.NotNull(Validate(new { sub = "a", roles = "admin", exp }, custom).Token);
        Assert.Equal("insufficient_scope", Validate(new { sub = "a", scope = "admin", exp }, custom).Refusal!.Status);
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("a.b")]
    [InlineData("e30.e30.c2ln")]
    [InlineData("!!!.e30.")]
    [InlineData("e30.e30.")]
    public void Malformed_or_signed_tokens_are_invalid_tokens(string token)
    {
        var (valid, refusal) = new UnsecuredJwtValidator(UnsecuredJwtValidatorOptions.Default).Validate(token, Now);
        Assert.Null(valid);
        Assert.Equal("invalid_token", refusal!.Status);
    }

    [Fact]
    public void A_header_with_another_alg_is_refused()
    {
        Assert.Contains("\"alg\":\"none\"", Validate(new { sub = "a", exp = (Now + 5000) / 1000.0 }, alg: "HS256").Refusal!.Description, StringComparison.Ordinal);
    }
}
