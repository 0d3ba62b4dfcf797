using System.Text.Json;
using Streams.Cli.Tests.Support;
using Streams.Contracts.Topics;

namespace Streams.Cli.Tests.Acls;

/// <summary><c>streams acls add/list/remove/apply</c> against an embedded broker with authorization on.</summary>
[Collection(SecuredClusterCollection.Name)]
public sealed class AclCommandsTests(SecuredClusterFixture cluster)
{
    private static string NewPrincipal() => $"User:acl-test-{Guid.NewGuid().ToString("N")[..8]}";

    private static List<(string Principal, string Permission, string Operation, string Type, string Resource, string Pattern)> Acls(JsonElement array) =>
        [.. array.EnumerateArray().Select(a => (
            a.GetProperty("principal").GetString()!, a.GetProperty("permission").GetString()!, a.GetProperty("operation").GetString()!,
            a.GetProperty("resourceType").GetString()!, a.GetProperty("resource").GetString()!, a.GetProperty("pattern").GetString()!))];

    [Fact]
    public async Task Acls_added_are_listed_by_principal_and_resource_and_removed()
    {
        var principal = NewPrincipal();

        var added = await cluster.RunAsync("acls", "add", "--allow", "--principal", principal, "--operation", "Read", "--operation", "write", "--topic", "payments", "-o", "json");
        var denied = await cluster.RunAsync("acls", "add", "--deny", "--principal", principal, "--operation", "All", "--topic", "payments-", "--prefixed");
        var group = await cluster.RunAsync("acls", "add", "--allow", "--principal", principal, "--operation", "Read", "--group", "payments-app", "--host", "10.0.0.7");
        var byPrincipal = await cluster.RunAsync("acls", "list", "--principal", principal, "-o", "json");
        var byTopic = await cluster.RunAsync("acls", "list", "--topic", "payments", "-o", "json");
        var byPrefix = await cluster.RunAsync("acls", "list", "--topic", "payments-", "--prefixed", "-o", "json");
        var byGroup = await cluster.RunAsync("acls", "list", "--group", "payments-app", "-o", "json");
        var table = await cluster.RunAsync("acls", "list", "--principal", principal);
        var removedWrite = await cluster.RunAsync("acls", "remove", "--principal", principal, "--topic", "payments", "--operation", "Write", "-o", "json");
        var afterOne = await cluster.RunAsync("acls", "list", "--principal", principal, "-o", "json");
        var removedAll = await cluster.RunAsync("acls", "remove", "--principal", principal, "-o", "json");
        var afterAll = await cluster.RunAsync("acls", "list", "--principal", principal, "-o", "json");

        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.Equal(2, added.Json.GetProperty("added").GetArrayLength());
        Assert.True(denied.ExitCode == 0, denied.ToString());
        Assert.True(group.ExitCode == 0, group.ToString());
        Assert.True(byPrincipal.ExitCode == 0, byPrincipal.ToString());
        Assert.Equal(
            [(principal, "Allow", "Read", "Topic", "payments", "LITERAL"), (principal, "Allow", "Write", "Topic", "payments", "LITERAL"),
             (principal, "Deny", "All", "Topic", "payments-", "PREFIXED"), (principal, "Allow", "Read", "Group", "payments-app", "LITERAL")],
            Acls(byPrincipal.Json));
        Assert.Equal("10.0.0.7", byPrincipal.Json.EnumerateArray().Single(a => a.GetProperty("resourceType").GetString() == "Group").GetProperty("host").GetString());
        Assert.Equal(2, Acls(byTopic.Json).Count(a => a.Principal == principal));
        Assert.Equal([(principal, "Deny", "All", "Topic", "payments-", "PREFIXED")], Acls(byPrefix.Json).Where(a => a.Principal == principal));
        Assert.Single(Acls(byGroup.Json), a => a.Principal == principal);
        Assert.StartsWith("PRINCIPAL", table.Output, StringComparison.Ordinal);
        Assert.Contains("payments-", table.Output, StringComparison.Ordinal);
        Assert.True(removedWrite.ExitCode == 0, removedWrite.ToString());
        Assert.Equal([(principal, "Allow", "Write", "Topic", "payments", "LITERAL")], Acls(removedWrite.Json.GetProperty("removed")));
        Assert.Equal(3, afterOne.Json.GetArrayLength());
        Assert.Equal(3, removedAll.Json.GetProperty("removed").GetArrayLength());
        Assert.Equal(0, afterAll.Json.GetArrayLength());
    }

    [Fact]
    public async Task Cluster_and_transactional_id_acls_use_kafkas_resource_names()
    {
        var principal = NewPrincipal();

        var added = await cluster.RunAsync("acls", "add", "--allow", "--principal", principal, "--operation", "IdempotentWrite", "--cluster", "--operation", "Describe", "--transactional-id", "tx-1");
        var listed = await cluster.RunAsync("acls", "list", "--principal", principal, "-o", "json");
        var removed = await cluster.RunAsync("acls", "remove", "--principal", principal);

        Assert.True(added.ExitCode == 0, added.ToString());
        var acls = Acls(listed.Json);
        Assert.Contains((principal, "Allow", "IdempotentWrite", "Cluster", "kafka-cluster", "LITERAL"), acls);
        Assert.Contains((principal, "Allow", "Describe", "TransactionalId", "tx-1", "LITERAL"), acls);
        Assert.Equal(4, acls.Count);
        Assert.True(removed.ExitCode == 0, removed.ToString());
    }

    [Fact]
    public async Task Acls_apply_is_a_dry_run_until_execute_and_then_has_nothing_to_do()
    {
        // From a cluster where the catalog's principals have nothing (another test may have applied the catalog), plus
        // a grant the catalog does not make to one of its principals (removed) and another principal's (left alone).
        foreach (var principal in ServicePrincipals.All)
        {
            await cluster.RunAsync("acls", "remove", "--principal", principal);
        }

        var stranger = NewPrincipal();
        await cluster.RunAsync("acls", "add", "--allow", "--principal", ServicePrincipals.Notifier, "--operation", "Write", "--topic", "orders");
        await cluster.RunAsync("acls", "add", "--allow", "--principal", stranger, "--operation", "Read", "--topic", "orders");
        var before = await cluster.RunAsync("acls", "list", "-o", "json");

        var dryRun = await cluster.RunAsync("acls", "apply", "-o", "json");
        var unchanged = await cluster.RunAsync("acls", "list", "-o", "json");
        var executed = await cluster.RunAsync("acls", "apply", "--execute");
        var second = await cluster.RunAsync("acls", "apply", "-o", "json");
        var secondTable = await cluster.RunAsync("acls", "apply");
        var audit = await cluster.RunAsync("acls", "list", "--principal", ServicePrincipals.Audit, "-o", "json");
        var orders = await cluster.RunAsync("acls", "list", "--topic", "orders", "-o", "json");
        await cluster.RunAsync("acls", "remove", "--principal", stranger);

        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        Assert.False(dryRun.Json.GetProperty("executed").GetBoolean());
        var changes = dryRun.Json.GetProperty("changes").EnumerateArray()
            .Select(c => (c.GetProperty("action").GetString(), c.GetProperty("principal").GetString(), c.GetProperty("operation").GetString(), c.GetProperty("resource").GetString()))
            .ToList();
        Assert.Contains(("remove", ServicePrincipals.Notifier, "Write", "orders"), changes);
        Assert.Contains(("add", ServicePrincipals.Publisher, "Write", "logins"), changes);
        Assert.Contains(("add", ServicePrincipals.Registry, "Create", "_schemas"), changes);
        Assert.Contains(("add", ServicePrincipals.Topology, "Create", "streams-topology-"), changes);
        Assert.DoesNotContain(changes, c => c.Item2 == stranger);
        Assert.Contains("Dry run", dryRun.Error, StringComparison.Ordinal);
        Assert.Equal(before.Output, unchanged.Output);

        Assert.True(executed.ExitCode == 0, executed.ToString());
        Assert.True(second.Json.GetProperty("inSync").GetBoolean(), second.ToString());
        Assert.Equal(0, second.Json.GetProperty("changes").GetArrayLength());
        Assert.Contains("match the cluster", secondTable.Output, StringComparison.Ordinal);
        Assert.Contains((ServicePrincipals.Audit, "Allow", "Read", "Group", "audit-projection", "LITERAL"), Acls(audit.Json));
        var onOrders = Acls(orders.Json);
        Assert.Contains((stranger, "Allow", "Read", "Topic", "orders", "LITERAL"), onOrders);
        Assert.DoesNotContain((ServicePrincipals.Notifier, "Allow", "Write", "Topic", "orders", "LITERAL"), onOrders);
        Assert.Contains((ServicePrincipals.Notifier, "Allow", "Read", "Topic", "orders", "LITERAL"), onOrders);
    }

    [Theory]
    [InlineData("add", "--principal", "User:x", "--operation", "Read", "--topic", "t")]
    [InlineData("add", "--allow", "--deny", "--principal", "User:x", "--operation", "Read", "--topic", "t")]
    [InlineData("add", "--allow", "--principal", "x", "--operation", "Read", "--topic", "t")]
    [InlineData("add", "--allow", "--principal", "User:x", "--operation", "Fly", "--topic", "t")]
    [InlineData("add", "--allow", "--principal", "User:x", "--operation", "Read")]
    [InlineData("remove", "--operation", "Read")]
    public async Task A_malformed_acl_command_line_is_a_usage_error(params string[] args)
    {
        var run = await cluster.RunAsync(["acls", .. args]);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("error:", run.Error, StringComparison.Ordinal);
    }
}
