using Microsoft.Extensions.Options;

namespace Streams.Worker;

/// <summary>Checks the worker's settings when the host starts, naming each bad setting by its configuration key.</summary>
internal sealed class StreamsOptionsValidator : IValidateOptions<StreamsOptions>
{
    public ValidateOptionsResult Validate(string? name, StreamsOptions options)
    {
        List<string> errors = [];
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            errors.Add("Streams:DataDirectory is required.");
        }

        if (options.EmbeddedKafkaPort is < 0 or > 65535)
        {
            errors.Add($"Streams:EmbeddedKafkaPort must be 0-65535, got {options.EmbeddedKafkaPort}.");
        }

        if (options.EmbeddedRegistryPort is < 0 or > 65535)
        {
            errors.Add($"Streams:EmbeddedRegistryPort must be 0-65535, got {options.EmbeddedRegistryPort}.");
        }

        if (!Uri.TryCreate(options.HttpUrl, UriKind.Absolute, out var http) || http.Scheme is not ("http" or "https"))
        {
            errors.Add($"Streams:HttpUrl must be an absolute http(s) URL such as http://127.0.0.1:8080, got '{options.HttpUrl}'.");
        }

        if (string.IsNullOrWhiteSpace(options.ApplicationId))
        {
            errors.Add("Streams:ApplicationId is required (the Streamiz application id).");
        }

        if (options.StreamThreads < 1)
        {
            errors.Add($"Streams:StreamThreads must be at least 1, got {options.StreamThreads}.");
        }

        if (options.PollMs < 1)
        {
            errors.Add($"Streams:PollMs must be at least 1, got {options.PollMs}.");
        }

        if (options.ProducerLingerMs < 0 || options.FetchWaitMaxMs < 0)
        {
            errors.Add($"Streams:ProducerLingerMs and Streams:FetchWaitMaxMs must not be negative, got {options.ProducerLingerMs} and {options.FetchWaitMaxMs}.");
        }

        if (options.LoginMonitoring.FailureThreshold < 1)
        {
            errors.Add($"Streams:LoginMonitoring:FailureThreshold must be at least 1, got {options.LoginMonitoring.FailureThreshold}.");
        }

        if (options.LoginMonitoring.Window <= TimeSpan.Zero)
        {
            errors.Add($"Streams:LoginMonitoring:Window must be positive, got {options.LoginMonitoring.Window}.");
        }

        if (options.Simulator.EventsPerSecond is <= 0 or > 1_000_000 || double.IsNaN(options.Simulator.EventsPerSecond))
        {
            errors.Add($"Streams:Simulator:EventsPerSecond must be above 0 (and at most 1,000,000), got {options.Simulator.EventsPerSecond}.");
        }

        if (options.Simulator.LoginFailureRate is < 0 or > 1 || double.IsNaN(options.Simulator.LoginFailureRate))
        {
            errors.Add($"Streams:Simulator:LoginFailureRate must be between 0 and 1, got {options.Simulator.LoginFailureRate}.");
        }

        if (options.SchemaRegistry.Url is { Length: > 0 } url && url.Split(',').Any(u => !Uri.TryCreate(u.Trim(), UriKind.Absolute, out _)))
        {
            errors.Add($"SchemaRegistry:Url must be one or more absolute URLs, got '{url}'.");
        }

        if (options.Notifications.ClientBuffer < 1)
        {
            errors.Add($"Streams:Notifications:ClientBuffer must be at least 1, got {options.Notifications.ClientBuffer}.");
        }

        if (options.Notifications.ClientLag <= TimeSpan.Zero || options.Notifications.WriteInterval < TimeSpan.Zero)
        {
            errors.Add($"Streams:Notifications:ClientLag must be positive and WriteInterval 0 or more, got {options.Notifications.ClientLag} and {options.Notifications.WriteInterval}.");
        }

        if (options.Notifications.MaxReplay < 0)
        {
            errors.Add($"Streams:Notifications:MaxReplay must be 0 or more, got {options.Notifications.MaxReplay}.");
        }

        if (options.Notifications.KeepAlive <= TimeSpan.Zero || options.Notifications.Retry <= TimeSpan.Zero)
        {
            errors.Add($"Streams:Notifications:KeepAlive and Retry must be positive, got {options.Notifications.KeepAlive} and {options.Notifications.Retry}.");
        }

        if (options.Security.Enabled && !string.IsNullOrWhiteSpace(options.Kafka.BootstrapServers))
        {
            errors.Add("Streams:Security:Enabled secures the embedded broker, but Kafka:BootstrapServers configures another Kafka: secure that one with Kafka:SecurityProtocol, Kafka:SaslMechanism, Kafka:SslCaLocation and Streams:Security:Principals:{service}.");
        }

        foreach (var service in options.Security.Principals.Keys.Where(s => !Security.ServiceClients.Principals.ContainsKey(s.ToLowerInvariant())))
        {
            errors.Add($"Streams:Security:Principals:{service} names no service (publisher, topology, audit, notifier, registry, admin).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
