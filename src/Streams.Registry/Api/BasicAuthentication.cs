using System.Security.Cryptography;
using System.Text;

namespace Streams.Registry.Api;

/// <summary>HTTP basic authentication with one user from configuration; off unless a user is configured.</summary>
internal static class BasicAuthentication
{
    public static IApplicationBuilder UseBasicAuthentication(this IApplicationBuilder app, string username, string password)
    {
        var expected = Encoding.UTF8.GetBytes($"{username}:{password}");
        return app.Use(async (context, next) =>
        {
            var header = context.Request.Headers.Authorization.ToString();
            if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) && Matches(header["Basic ".Length..].Trim(), expected))
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            context.Response.Headers.WWWAuthenticate = "Basic realm=\"SchemaRegistry\"";
            await ErrorHandling.WriteAsync(context, 401, 401, "Unauthorized").ConfigureAwait(false);
        });
    }

    private static bool Matches(string encoded, byte[] expected)
    {
        var buffer = new byte[encoded.Length];
        return Convert.TryFromBase64String(encoded, buffer, out var written)
            && CryptographicOperations.FixedTimeEquals(buffer.AsSpan(0, written), expected);
    }
}
