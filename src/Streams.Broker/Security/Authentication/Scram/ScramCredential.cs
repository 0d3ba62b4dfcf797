namespace Streams.Broker.Security.Authentication.Scram;

/// <summary>One user's SCRAM credential for one mechanism: never the password, only what verifies a proof of it.</summary>
/// <param name="Salt">The salt the client salts its password with.</param>
/// <param name="StoredKey">H(ClientKey): checks the client's proof.</param>
/// <param name="ServerKey">Signs the server's final message, proving the broker knows the credential.</param>
/// <param name="Iterations">PBKDF2 iterations.</param>
internal sealed record ScramCredential(byte[] Salt, byte[] StoredKey, byte[] ServerKey, int Iterations);
