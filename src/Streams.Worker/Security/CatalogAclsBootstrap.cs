using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Streams.Broker.Hosting;
using Streams.Contracts.Topics;
using Streams.Operations.Acls;

namespace Streams.Worker.Security;

/// <summary>
/// On the secured embedded broker, right after it starts and before the registry and the services connect: makes the
/// broker's ACLs match the topic catalog's, as the super user, through the same plan <c>streams acls apply</c> uses
/// (the worker's own application id stands for the catalog's Streamiz application).
/// </summary>
internal sealed partial class CatalogAclsBootstrap(
    KafkaBrokerService broker,
    LocalSecurity security,
    IOptions<StreamsOptions> options,
    ILogger<CatalogAclsBootstrap> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        LogSecured(logger, broker.BootstrapServers, security.CaPath, string.Join(", ", LocalSecurity.Users), security.CredentialsPath, security.AdminPropertiesPath);
        var settings = security.ClientSettings(LocalSecurity.AdminUser);
        settings["bootstrap.servers"] = broker.BootstrapServers;
        settings["client.id"] = "streams-worker/acls";
        using var admin = new AdminClientBuilder(new AdminClientConfig(settings)).Build();
        TopicDefinition[] topics = [.. TopicCatalog.All, .. TopicCatalog.Support];
        StreamsApplicationDefinition[] applications = [new(options.Value.ApplicationId, ServicePrincipals.Topology)];
        var changes = await AclPlan.DiffAsync(admin, CatalogAcls.Derive(topics, applications), CatalogAcls.Principals(topics, applications)).ConfigureAwait(false);
        await AclPlan.ApplyAsync(admin, changes).ConfigureAwait(false);
        LogApplied(logger, changes.Count(c => c.Action == AclChange.Add), changes.Count(c => c.Action == AclChange.Remove));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded broker secured: SASL_SSL (SCRAM-SHA-256) on {BootstrapServers}, CA certificate {CaPath}; passwords of the users {Users} in {CredentialsPath}; the super user's client settings in {AdminProperties} (kcat -b {BootstrapServers} -F {AdminProperties} -L)")]
    private static partial void LogSecured(ILogger logger, string bootstrapServers, string caPath, string users, string credentialsPath, string adminProperties);

    [LoggerMessage(Level = LogLevel.Information, Message = "Catalog ACLs applied to the secured embedded broker: {Added} added, {Removed} removed")]
    private static partial void LogApplied(ILogger logger, int added, int removed);
}
