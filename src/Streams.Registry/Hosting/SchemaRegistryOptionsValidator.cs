using Microsoft.Extensions.Options;

namespace Streams.Registry.Hosting;

/// <summary>Checks a registry's options before it connects to Kafka or binds its port.</summary>
internal sealed class SchemaRegistryOptionsValidator : IValidateOptions<SchemaRegistryOptions>
{
    public ValidateOptionsResult Validate(string? name, SchemaRegistryOptions options)
    {
        List<string> errors = [];
        if (string.IsNullOrWhiteSpace(options.KafkaBootstrapServers))
        {
            errors.Add("The registry's KafkaBootstrapServers is required (the Kafka holding its topic).");
        }

        if (!Uri.TryCreate(options.Listen, UriKind.Absolute, out var listen) || listen.Scheme is not ("http" or "https"))
        {
            errors.Add($"The registry's Listen must be an absolute http(s) URL such as http://127.0.0.1:8081, got '{options.Listen}'.");
        }

        if (string.IsNullOrWhiteSpace(options.Topic))
        {
            errors.Add("The registry's Topic is required.");
        }

        if (!string.IsNullOrEmpty(options.BasicAuthUser) && string.IsNullOrEmpty(options.BasicAuthPassword))
        {
            errors.Add("The registry's BasicAuthUser needs a BasicAuthPassword (SCHEMA_REGISTRY_PASSWORD for the command line).");
        }

        if (options.KafkaTimeout <= TimeSpan.Zero)
        {
            errors.Add($"The registry's KafkaTimeout must be positive, got {options.KafkaTimeout}.");
        }

        if (options.MaxRequestBodyBytes <= 0)
        {
            errors.Add($"The registry's MaxRequestBodyBytes must be positive, got {options.MaxRequestBodyBytes}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
