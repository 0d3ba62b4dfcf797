using Microsoft.Extensions.Options;
using Streams.Registry.Security;

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

        foreach (var user in options.Users)
        {
            if (string.IsNullOrEmpty(user.Name) || user.Name.Contains(':', StringComparison.Ordinal))
            {
                errors.Add($"A registry user needs a Name without ':', got '{user.Name}'.");
            }

            if (string.IsNullOrEmpty(user.Password))
            {
                errors.Add($"The registry user '{user.Name}' needs a Password (or a pbkdf2: hash).");
            }
            else if (PasswordHash.Problem(user.Password) is { } problem)
            {
                errors.Add($"The registry user '{user.Name}': {problem}.");
            }

            if (RegistryRoles.TryParse(user.Role) is null)
            {
                errors.Add($"The registry user '{user.Name}' has Role '{user.Role}'; use one of {RegistryRoles.Names}.");
            }
        }

        if (!string.IsNullOrEmpty(options.UsersFile) && !File.Exists(options.UsersFile))
        {
            errors.Add($"The registry's UsersFile '{options.UsersFile}' does not exist.");
        }

        ValidateTls(options, listen, errors);

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

    private static void ValidateTls(SchemaRegistryOptions options, Uri? listen, List<string> errors)
    {
        var tls = options.Tls;
        var https = listen?.Scheme == "https";
        if (https && string.IsNullOrEmpty(tls.CertificatePath))
        {
            errors.Add("The registry's https:// Listen needs Tls.CertificatePath (a PEM or PKCS12 certificate).");
        }

        if (!https && (!string.IsNullOrEmpty(tls.CertificatePath) || tls.ClientAuthentication != RegistryClientAuthentication.None))
        {
            errors.Add($"The registry's Tls settings need an https:// Listen, got '{options.Listen}'.");
        }

        foreach (var (name, path) in new[] { ("CertificatePath", tls.CertificatePath), ("KeyPath", tls.KeyPath), ("TrustedCertificatesPath", tls.TrustedCertificatesPath) })
        {
            if (!string.IsNullOrEmpty(path) && !File.Exists(path))
            {
                errors.Add($"The registry's Tls.{name} '{path}' does not exist.");
            }
        }
    }
}
