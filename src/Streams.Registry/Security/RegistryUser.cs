namespace Streams.Registry.Security;

/// <summary>A user of the registry's HTTP basic authentication.</summary>
public sealed class RegistryUser
{
    /// <summary>The user name sent by clients (Confluent's <c>basic.auth.user.info=name:password</c>).</summary>
    public string Name { get; set; } = "";

    /// <summary>
    /// The password, either as is or, better, as a hash made by <see cref="PasswordHash.Create"/>:
    /// <c>pbkdf2:&lt;iterations&gt;:&lt;salt base64&gt;:&lt;hash base64&gt;</c> (PBKDF2 with HMAC-SHA-256).
    /// </summary>
    public string Password { get; set; } = "";

    /// <summary>One of <c>admin</c>, <c>developer</c>, <c>read-only</c> (also spelled <c>readonly</c> or <c>user</c>).</summary>
    public string Role { get; set; } = "read-only";
}
