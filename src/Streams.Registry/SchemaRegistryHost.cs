using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Streams.Registry.Api;
using Streams.Registry.Security;
using Streams.Registry.Storage;

namespace Streams.Registry;

/// <summary>
/// A Confluent-compatible schema registry running in this process. Start it, give <see cref="Url"/> to
/// Confluent's <c>CachedSchemaRegistryClient</c> or Avro serdes, dispose it to stop.
/// </summary>
/// <example>
/// <code>
/// await using var registry = await SchemaRegistryHost.StartAsync(new SchemaRegistryOptions
///     { KafkaBootstrapServers = broker.BootstrapServers, Listen = "http://127.0.0.1:0" });
/// var client = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = registry.Url });
/// </code>
/// </example>
public sealed partial class SchemaRegistryHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SchemasLog _log;
    private int _disposed;

    private SchemaRegistryHost(WebApplication app, SchemasLog log, string url)
    {
        _app = app;
        _log = log;
        Url = url;
    }

    /// <summary>The base URL actually bound (useful with port 0), e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public string Url { get; }

    /// <summary>Reads <c>_schemas</c> to the end (creating it if needed), then starts serving HTTP.</summary>
    public static async Task<SchemaRegistryHost> StartAsync(SchemaRegistryOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        loggerFactory ??= NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger<SchemaRegistryHost>();
        var started = TimeProvider.System.GetTimestamp();

        var users = options.RequiresAuthentication ? await LoadUsersAsync(options, cancellationToken).ConfigureAwait(false) : null;
        if (users is not null && !KafkaIsAuthenticated(options.KafkaSettings))
        {
            LogUnauthenticatedKafka(logger, options.Topic);
        }

        var state = new RegistryState();
        state.Conflict += message => LogConflict(logger, message);
        var log = await SchemasLog.OpenAsync(options, state, logger, cancellationToken).ConfigureAwait(false);
        try
        {
            // Configured by its options alone: no appsettings.json reloading, which would watch the current directory
            // recursively (an inotify watch per directory below it, seconds in a large tree).
            var builder = WebApplication.CreateSlimBuilder(["--hostBuilder:reloadConfigOnChange=false"]);
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(loggerFactory);
            builder.Services.AddSingleton(new SchemaRegistry(state, log, options.ReadOnlyFollower));
            builder.WebHost.UseUrls(options.Listen);
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;

                // Requests are small JSON documents with a few headers: tighter than Kestrel's defaults so a slow or
                // oversized client holds less, but far above what Confluent's clients send.
                kestrel.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
                kestrel.Limits.MaxRequestLineSize = 16 * 1024;
                kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(30);
                if (options.Listen.StartsWith("https:", StringComparison.OrdinalIgnoreCase))
                {
                    TlsListener.Configure(kestrel, options.Tls);
                }
            });
            if (options.Listen.StartsWith("https:", StringComparison.OrdinalIgnoreCase))
            {
                // The slim builder leaves HTTPS out until asked for.
                builder.WebHost.UseKestrelHttpsConfiguration();
            }

            var app = builder.Build();

            app.UseRegistryErrors(logger);
            if (users is not null)
            {
                app.UseBasicAuthentication(users, options.AuthenticationRealm, loggerFactory);
            }

            app.MapRoot();
            app.MapSubjects();
            app.MapSchemas();
            app.MapCompatibility();
            app.MapConfig();
            app.MapMode();
            app.MapAssociations();

            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            LogListening(logger, url, options.Topic, options.KafkaBootstrapServers, TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
            return new SchemaRegistryHost(app, log, url);
        }
        catch
        {
            await log.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops HTTP, then the <c>_schemas</c> reader and producer.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        await _log.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Every configured user: <see cref="SchemaRegistryOptions.Users"/>, the users file, and the single-user shorthand as an admin.</summary>
    private static async Task<UserStore> LoadUsersAsync(SchemaRegistryOptions options, CancellationToken cancellationToken)
    {
        List<RegistryUser> users = [.. options.Users];
        if (!string.IsNullOrEmpty(options.UsersFile))
        {
            users.AddRange(await UsersFile.ReadAsync(options.UsersFile, cancellationToken).ConfigureAwait(false));
        }

        if (!string.IsNullOrEmpty(options.BasicAuthUser))
        {
            users.Add(new RegistryUser { Name = options.BasicAuthUser, Password = options.BasicAuthPassword ?? "", Role = "admin" });
        }

        return new UserStore(users);
    }

    /// <summary>Whether the Kafka clients authenticate (SASL, or TLS that may carry a client certificate).</summary>
    private static bool KafkaIsAuthenticated(IDictionary<string, string> settings) =>
        settings.TryGetValue("security.protocol", out var protocol)
        && protocol.Trim().ToUpperInvariant() is "SASL_SSL" or "SASL_PLAINTEXT" or "SSL";

    [LoggerMessage(Level = LogLevel.Warning, Message = "The registry requires HTTP basic authentication but its Kafka connection has none (no security.protocol SASL_SSL, SASL_PLAINTEXT or SSL in KafkaSettings): anyone who can reach the broker can write {Topic} and so change every schema, bypassing the HTTP authentication")]
    private static partial void LogUnauthenticatedKafka(ILogger logger, string topic);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schema registry listening on {Url} (topic {Topic} on {Bootstrap}, ready in {Milliseconds:F0} ms)")]
    private static partial void LogListening(ILogger logger, string url, string topic, string bootstrap, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a _schemas record that contradicts an earlier one (two writing instances?): {Message}")]
    private static partial void LogConflict(ILogger logger, string message);
}
