using System.Collections.Concurrent;
using System.Security.Cryptography;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Confluent.SchemaRegistry;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Streams.KafkaConsole.Hosting;
using Streams.KafkaConsole.Sampling;

namespace Streams.KafkaConsole.Sessions;

/// <summary>
/// The console's sessions. Open console (no SASL user-and-password listener configured): one session for everyone,
/// as before. Secured: a session per signed-in browser, found by a random id in an HttpOnly, SameSite=Strict cookie;
/// its clients are closed on sign-out, after <see cref="ConsoleOptions.SessionIdleTimeout"/> without a request or a
/// live push, and when the host stops. Passwords live only in the session's client settings, never in the cookie.
/// </summary>
internal sealed partial class ConsoleSessions(IOptions<ConsoleOptions> options, ILoggerFactory loggers)
{
    public const string Cookie = "streams-console-session";
    private static readonly TimeSpan SignInTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, ConsoleSession> _sessions = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _logger = loggers.CreateLogger<ConsoleSessions>();
    private readonly Lock _gate = new();
    private readonly InProcessBroker _broker = new();
    private ISchemaRegistryClient? _registry;
    private ConsoleSession? _open;
    private Task? _sweeper;

    /// <summary>Whether people must sign in (decided from the Kafka settings, which are known once the host is built).</summary>
    public bool SignInRequired => SaslSignIn.IsRequired(options.Value.Kafka);

    /// <summary>How many signed-in sessions are open.</summary>
    public int Count => _sessions.Count;

    /// <summary>The request's session, marked as used; null when sign-in is required and the request has none (or an expired one).</summary>
    public ConsoleSession? Find(HttpContext context)
    {
        ConsoleSession? session;
        if (_stopping.IsCancellationRequested)
        {
            // Closed for good (the host is stopping): no session is made again behind CloseAllAsync.
            return null;
        }

        if (!SignInRequired)
        {
            lock (_gate)
            {
                session = _open ??= Create(Guid.NewGuid().ToString("N"), null, options.Value.Kafka, errors: null);
            }
        }
        else if (context.Request.Cookies[Cookie] is not { } id || !_sessions.TryGetValue(id, out session))
        {
            return null;
        }

        session.Touch();
        return session;
    }

    /// <summary>Checks the user's credentials against the cluster and opens a session; null and why when that failed.</summary>
    public async Task<(ConsoleSession? Session, SignInFailure Failure)> SignInAsync(string user, string password, CancellationToken cancellationToken)
    {
        var refused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var id = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var session = Create(id, user, SaslSignIn.As(options.Value.Kafka, user, password), error =>
        {
            // librdkafka reports a failed SASL login as an error event and keeps retrying: the first one settles it.
            if (error.Code == ErrorCode.Local_Authentication)
            {
                refused.TrySetResult();
            }
        });
        var failure = SignInFailure.None;
        var reason = "";
        try
        {
            var describe = session.Clients.Admin.DescribeClusterAsync(new DescribeClusterOptions { RequestTimeout = SignInTimeout });
            await Task.WhenAny(describe, refused.Task).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (refused.Task.IsCompleted)
            {
                (failure, reason) = (SignInFailure.Credentials, "wrong user name or password");
            }
            else
            {
                await describe.ConfigureAwait(false);
            }
        }
        catch (KafkaException e)
        {
            (failure, reason) = refused.Task.IsCompleted ? (SignInFailure.Credentials, "wrong user name or password") : (SignInFailure.Unreachable, e.Error.Reason);
        }
        catch (OperationCanceledException)
        {
            await session.CloseAsync().ConfigureAwait(false);
            throw;
        }

        if (failure != SignInFailure.None)
        {
            await session.CloseAsync().ConfigureAwait(false);
            LogSignInRefused(_logger, user, reason);
            return (null, failure);
        }

        _sessions[id] = session;
        LogSignedIn(_logger, user, _sessions.Count);
        lock (_gate)
        {
            _sweeper ??= Task.Run(() => SweepAsync(_stopping.Token));
        }

        return (session, SignInFailure.None);
    }

    /// <summary>Closes the request's session (sign-out).</summary>
    public async Task SignOutAsync(HttpContext context)
    {
        if (context.Request.Cookies[Cookie] is { } id && _sessions.TryRemove(id, out var session))
        {
            await session.CloseAsync().ConfigureAwait(false);
            LogSignedOut(_logger, session.User ?? "", _sessions.Count);
        }
    }

    /// <summary>Closes every session and the registry client: the host is stopping (before its embedded broker does).</summary>
    public async Task CloseAllAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        var sessions = _sessions.Values.ToList();
        _sessions.Clear();
        ConsoleSession? open;
        lock (_gate)
        {
            (open, _open) = (_open, null);
        }

        if (open is not null)
        {
            sessions.Add(open);
        }

        await Task.WhenAll(sessions.Select(s => s.CloseAsync())).ConfigureAwait(false);
        if (_sweeper is not null)
        {
            await _sweeper.ConfigureAwait(false);
        }

        _registry?.Dispose();
        _broker.Dispose();
    }

    private ConsoleSession Create(string id, string? user, IReadOnlyDictionary<string, string> kafka, Action<Error>? errors)
    {
        ISchemaRegistryClient registry;
        lock (_gate)
        {
            registry = _registry ??= new CachedSchemaRegistryClient(new Dictionary<string, string>(options.Value.SchemaRegistry));
        }

        var clients = new ConsoleClients(options.Value, kafka, registry, errors);
        return new ConsoleSession(id, user, clients, new ClusterSampler(clients, loggers.CreateLogger<ClusterSampler>(), _broker));
    }

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        var timeout = options.Value.SessionIdleTimeout;
        using var timer = new PeriodicTimer(TimeSpan.FromTicks(Math.Clamp(timeout.Ticks / 4, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute)));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                foreach (var (id, session) in _sessions)
                {
                    if (session.Idle > timeout && _sessions.TryRemove(id, out _))
                    {
                        await session.CloseAsync().ConfigureAwait(false);
                        LogExpired(_logger, session.User ?? "", _sessions.Count);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The host is stopping; CloseAllAsync closes what is left.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Console: {User} signed in ({Count} sessions)")]
    private static partial void LogSignedIn(ILogger logger, string user, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Console: {User} signed out ({Count} sessions)")]
    private static partial void LogSignedOut(ILogger logger, string user, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Console: {User}'s idle session closed ({Count} sessions)")]
    private static partial void LogExpired(ILogger logger, string user, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Console: sign-in refused for {User}: {Reason}")]
    private static partial void LogSignInRefused(ILogger logger, string user, string reason);
}

/// <summary>Why a sign-in did not open a session.</summary>
internal enum SignInFailure
{
    /// <summary>It did.</summary>
    None,

    /// <summary>The cluster refused the user name and password.</summary>
    Credentials,

    /// <summary>The cluster did not answer.</summary>
    Unreachable,
}
