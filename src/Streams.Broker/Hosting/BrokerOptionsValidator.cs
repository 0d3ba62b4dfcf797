using System.Net;
using Microsoft.Extensions.Options;
using Streams.Broker.Configs;

namespace Streams.Broker.Hosting;

/// <summary>Checks a broker's options and every broker setting before anything is opened or bound.</summary>
internal sealed class BrokerOptionsValidator : IValidateOptions<BrokerOptions>
{
    public ValidateOptionsResult Validate(string? name, BrokerOptions options)
    {
        var errors = Errors(options).ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static IEnumerable<string> Errors(BrokerOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            yield return "The broker's DataDirectory is required.";
        }

        if (options.Port is < 0 or > 65535)
        {
            yield return $"The broker's Port must be 0-65535, got {options.Port}.";
        }

        if (options.AdvertisedPort is < 1 or > 65535)
        {
            yield return $"The broker's AdvertisedPort must be 1-65535, got {options.AdvertisedPort}.";
        }

        if (options.Host != "localhost" && !IPAddress.TryParse(options.Host, out _))
        {
            yield return $"The broker's Host must be an IP address or localhost, got '{options.Host}'.";
        }

        string? settingsError = null;
        try
        {
            var config = new BrokerConfig(options.ResolveNodeId(), new Dictionary<string, string>(options.Settings));
            _ = Network.ListenerConfig.Resolve(config, options.Host, options.Port, options.AdvertisedHost, options.AdvertisedPort);
        }
        catch (ArgumentException ex)
        {
            settingsError = ex.Message;
        }

        foreach (var user in options.ScramUsers)
        {
            string? userError = null;
            try
            {
                _ = Security.Authentication.Scram.ScramUserSpec.Parse(user);
            }
            catch (FormatException ex)
            {
                userError = $"Invalid SCRAM user (--add-scram): {ex.Message}";
            }

            if (userError is not null)
            {
                yield return userError;
            }
        }

        if (settingsError is not null)
        {
            yield return settingsError;
        }
    }
}
