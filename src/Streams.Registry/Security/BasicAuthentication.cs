using System.Buffers;
using Streams.Registry.Api;

namespace Streams.Registry.Security;

/// <summary>
/// HTTP basic authentication against the configured users, then the role check of <see cref="AccessRules"/>:
/// 401 with <c>WWW-Authenticate</c> for missing or wrong credentials, 403 (error code 40301) for a role that lacks
/// the right. Every refusal is written to the audit log with the user, the request and the client's address.
/// </summary>
internal static partial class BasicAuthentication
{
    /// <summary>Category of the audit log, so operators can route it apart ("who tried to do what").</summary>
    public const string AuditCategory = "Streams.Registry.Audit";

    public static IApplicationBuilder UseBasicAuthentication(this IApplicationBuilder app, UserStore users, string realm, ILoggerFactory loggerFactory)
    {
        var audit = loggerFactory.CreateLogger(AuditCategory);
        var challenge = $"Basic realm=\"{realm.Replace("\"", "", StringComparison.Ordinal)}\"";
        return app.Use(async (context, next) =>
        {
            var request = context.Request;
            var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            var user = Authenticate(users, request.Headers.Authorization.ToString(), out var claimed);
            if (user is not { } known)
            {
                LogUnauthenticated(audit, claimed ?? "(none)", request.Method, request.Path, client);
                context.Response.Headers.WWWAuthenticate = challenge;
                await ErrorHandling.WriteAsync(context, 401, 401, "Unauthorized").ConfigureAwait(false);
                return;
            }

            var (needed, operation, resource) = AccessRules.Classify(request.Method, request.Path);
            if (known.Role < needed)
            {
                LogDenied(audit, known.Name, RegistryRoles.Name(known.Role), request.Method, request.Path, client, RegistryRoles.Name(needed));
                await ErrorHandling.WriteAsync(context, 403, 40301, $"User is denied operation {operation} on {resource}").ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        });
    }

    private static (string Name, RegistryRole Role)? Authenticate(UserStore users, string header, out string? claimed)
    {
        claimed = null;
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var encoded = header.AsSpan("Basic ".Length).Trim();
        var buffer = ArrayPool<byte>.Shared.Rent(encoded.Length);
        try
        {
            return Convert.TryFromBase64Chars(encoded, buffer, out var written)
                ? users.Authenticate(buffer.AsSpan(0, written), out claimed)
                : null;
        }
        finally
        {
            Array.Clear(buffer);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Registry authentication failed: user {User} {Method} {Path} from {Client}")]
    private static partial void LogUnauthenticated(ILogger logger, string user, string method, string path, string client);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Registry authorization denied: user {User} (role {Role}) {Method} {Path} from {Client}, needs role {Needed}")]
    private static partial void LogDenied(ILogger logger, string user, string role, string method, string path, string client, string needed);
}
