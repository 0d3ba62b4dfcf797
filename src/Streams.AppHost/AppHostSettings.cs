using Microsoft.Extensions.Configuration;

namespace Streams.AppHost;

/// <summary>
/// What the app host reads from its configuration (appsettings.json, environment, command line). The default ports sit
/// beside the one-process worker's (9092, 8081, 8080) so that both can run at once.
/// </summary>
internal sealed record AppHostSettings(
    int BrokerPort,
    int RegistryPort,
    int WorkerPort,
    string DataDirectory,
    string? KafkaBootstrapServers,
    string? SchemaRegistryUrl,
    string? ConsoleTraceUrl,
    IReadOnlyList<KeyValuePair<string, string>> WorkerSettings)
{
    public const int DefaultBrokerPort = 9192;
    public const int DefaultRegistryPort = 8181;
    public const int DefaultWorkerPort = 8180;

    /// <summary>The Aspire dashboard's view of one trace (its route in 13.x), <c>{traceId}</c> filled by the console.</summary>
    public const string DashboardTracePath = "/traces/detail/{traceId}";

    /// <summary>
    /// Section <c>AppHost</c>: <c>BrokerPort</c>, <c>RegistryPort</c>, <c>WorkerPort</c>, <c>DataDirectory</c> (default
    /// <c>data/</c> beside the app host project). A real cluster: <c>Kafka:BootstrapServers</c>
    /// starts no broker and <c>SchemaRegistry:Url</c> no registry; every <c>Kafka:*</c>, <c>SchemaRegistry:*</c> and
    /// <c>Streams:*</c> setting is handed to the worker as it is (SASL logins, TLS, simulator rate, ...). The console's
    /// trace links (<c>Streams:Console:TraceUrl</c>) point at the dashboard's first address (<c>ASPNETCORE_URLS</c>, the
    /// launch profile's <c>applicationUrl</c>) unless set.
    /// </summary>
    public static AppHostSettings Read(IConfiguration configuration, string appHostDirectory)
    {
        var section = configuration.GetSection("AppHost");
        var forwarded = new List<KeyValuePair<string, string>>();
        foreach (var name in (string[])["Kafka", "SchemaRegistry", "Streams"])
        {
            foreach (var (key, value) in configuration.GetSection(name).AsEnumerable(makePathsRelative: false))
            {
                if (value is not null)
                {
                    forwarded.Add(new(key.Replace(":", "__", StringComparison.Ordinal), value));
                }
            }
        }

        return new AppHostSettings(
            section.GetValue("BrokerPort", DefaultBrokerPort),
            section.GetValue("RegistryPort", DefaultRegistryPort),
            section.GetValue("WorkerPort", DefaultWorkerPort),
            Path.GetFullPath(section["DataDirectory"] ?? Path.Combine(appHostDirectory, "data")),
            NullIfBlank(configuration["Kafka:BootstrapServers"]),
            NullIfBlank(configuration["SchemaRegistry:Url"]),
            NullIfBlank(configuration["Streams:Console:TraceUrl"]) is null ? DashboardTraceUrl(configuration["ASPNETCORE_URLS"]) : null,
            forwarded);
    }

    private static string? DashboardTraceUrl(string? dashboardUrls)
    {
        var first = dashboardUrls?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return first is null ? null : first.TrimEnd('/') + DashboardTracePath;
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
