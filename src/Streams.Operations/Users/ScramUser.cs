namespace Streams.Operations.Users;

/// <summary>One SCRAM credential of a user, as the broker describes it (never the password or its hashes).</summary>
/// <param name="User">The user name (the principal is <c>User:{User}</c>).</param>
/// <param name="Mechanism">SCRAM-SHA-256 or SCRAM-SHA-512.</param>
/// <param name="Iterations">The iteration count the credential was salted with.</param>
public sealed record ScramUser(string User, string Mechanism, int Iterations);
