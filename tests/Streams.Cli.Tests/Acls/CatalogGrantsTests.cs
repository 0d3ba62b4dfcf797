using Streams.Cli.Tests.Support;
using Streams.Contracts.Topics;

namespace Streams.Cli.Tests.Acls;

/// <summary>
/// What <c>streams acls apply</c> grants, seen from the services' side: each service principal, logged in with the
/// SCRAM user <c>streams users add</c> made, may write what the catalog says it produces and nothing else (a refused
/// write leaves the log as it was).
/// </summary>
[Collection(SecuredClusterCollection.Name)]
public sealed class CatalogGrantsTests(SecuredClusterFixture cluster)
{
    private Task<CliRun> RunAsAsync(string principal, params string[] args) =>
        cluster.RunOnAsync(cluster.SaslBootstrap, null, [.. args,
            "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanism=SCRAM-SHA-512",
            "-X", $"sasl.username={ServicePrincipals.UserName(principal)}", "-X", $"sasl.password={ServicePrincipals.UserName(principal)}-secret"]);

    private async Task<long> LogEndAsync(string topic)
    {
        var described = await cluster.RunAsync("topics", "describe", topic, "-o", "json");
        Assert.True(described.ExitCode == 0, described.ToString());
        return described.Json.GetProperty("partitions").EnumerateArray().Sum(p => p.GetProperty("logEndOffset").GetInt64());
    }

    [Fact]
    public async Task Service_principals_write_what_the_catalog_says_they_produce_and_nothing_else()
    {
        foreach (var topic in new[] { TopicCatalog.Logins, TopicCatalog.Orders })
        {
            var created = await cluster.RunAsync("topics", "create", topic.Name, "--partitions", "1", "--if-not-exists");
            Assert.True(created.ExitCode == 0, created.ToString());
        }

        foreach (var principal in new[] { ServicePrincipals.Publisher, ServicePrincipals.Audit })
        {
            var user = ServicePrincipals.UserName(principal);
            var added = await cluster.RunOnAsync(cluster.Bootstrap, $"{user}-secret\n", "users", "add", user, "--mechanism", "SCRAM-SHA-512");
            Assert.True(added.ExitCode == 0, added.ToString());
        }

        var beforeApply = await RunAsAsync(ServicePrincipals.Publisher, "perf", "produce", TopicCatalog.Logins.Name, "-n", "3");
        var applied = await cluster.RunAsync("acls", "apply", "--execute");
        var loginsBefore = await LogEndAsync(TopicCatalog.Logins.Name);
        var ordersBefore = await LogEndAsync(TopicCatalog.Orders.Name);
        var published = await RunAsAsync(ServicePrincipals.Publisher, "perf", "produce", TopicCatalog.Logins.Name, "-n", "5");
        var auditWrites = await RunAsAsync(ServicePrincipals.Audit, "perf", "produce", TopicCatalog.Orders.Name, "-n", "5");
        var auditSees = await RunAsAsync(ServicePrincipals.Audit, "topics", "list", "-o", "json");

        Assert.True(beforeApply.ExitCode == 1, beforeApply.ToString());
        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.True(published.ExitCode == 0, published.ToString());
        Assert.Equal(loginsBefore + 5, await LogEndAsync(TopicCatalog.Logins.Name));
        Assert.True(auditWrites.ExitCode == 1, auditWrites.ToString());
        Assert.Equal(ordersBefore, await LogEndAsync(TopicCatalog.Orders.Name));
        Assert.True(auditSees.ExitCode == 0, auditSees.ToString());
        Assert.Contains(TopicCatalog.Orders.Name, auditSees.Output, StringComparison.Ordinal);
    }
}
