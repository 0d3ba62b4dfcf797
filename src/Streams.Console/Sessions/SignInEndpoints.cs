using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Streams.KafkaConsole.Sessions;

/// <summary>
/// The sign-in form's target (<c>POST /console/sign-in</c>) and sign-out (<c>POST /console/sign-out</c>); the form
/// itself is the <c>/sign-in</c> page. Both check the antiforgery token, and answer with a redirect (post, then get).
/// </summary>
internal static class SignInEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/console/sign-in", SignInAsync).WithMetadata(new OpenToAllAttribute());
        endpoints.MapPost("/console/sign-out", SignOutAsync).WithMetadata(new OpenToAllAttribute());
    }

    private static async Task<IResult> SignInAsync(HttpContext context, ConsoleSessions sessions, IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(context).ConfigureAwait(false))
        {
            return Results.BadRequest("The sign-in form expired: reload the page.");
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var back = Local(form["return"]);
        if (!sessions.SignInRequired)
        {
            return Results.Redirect(back);
        }

        var user = form["user"].ToString().Trim();
        var (session, failure) = user.Length == 0
            ? (null, SignInFailure.Credentials)
            : await sessions.SignInAsync(user, form["password"].ToString(), context.RequestAborted).ConfigureAwait(false);
        if (session is null)
        {
            // A code, not a text: the page words it, so nobody can make the sign-in page say something of theirs.
            var failed = failure == SignInFailure.Unreachable ? "unreachable" : "credentials";
            return Results.Redirect($"{context.Request.PathBase}/sign-in?failed={failed}&user={Uri.EscapeDataString(user)}&return={Uri.EscapeDataString(back)}");
        }

        context.Response.Cookies.Append(ConsoleSessions.Cookie, session.Id, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            IsEssential = true,
            Path = context.Request.PathBase.HasValue ? context.Request.PathBase.Value : "/",
        });
        return Results.Redirect(back);
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, ConsoleSessions sessions, IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(context).ConfigureAwait(false))
        {
            return Results.BadRequest("The sign-out form expired: reload the page.");
        }

        await sessions.SignOutAsync(context).ConfigureAwait(false);
        context.Response.Cookies.Delete(ConsoleSessions.Cookie, new CookieOptions
        {
            Path = context.Request.PathBase.HasValue ? context.Request.PathBase.Value : "/",
            Secure = context.Request.IsHttps,
            SameSite = SameSiteMode.Strict,
            HttpOnly = true,
        });
        return Results.Redirect($"{context.Request.PathBase}/sign-in");
    }

    /// <summary>Only a path on this site: a return address pointing elsewhere would make the form an open redirect.</summary>
    private static string Local(string? back) =>
        back is { Length: > 0 } && back[0] == '/' && (back.Length == 1 || (back[1] != '/' && back[1] != '\\')) ? back : "/";
}
