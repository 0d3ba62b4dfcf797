using Streams.Cli.Tests.Support;

namespace Streams.Cli.Tests.Acls;

/// <summary>The ACL commands against a broker without an authorizer: Kafka's SECURITY_DISABLED, said as what to set.</summary>
[Collection(ClusterCollection.Name)]
public sealed class AclCommandsWithoutAuthorizerTests(ClusterFixture cluster)
{
    [Theory]
    [InlineData("list")]
    [InlineData("apply")]
    [InlineData("add", "--allow", "--principal", "User:x", "--operation", "Read", "--topic", "t")]
    [InlineData("remove", "--principal", "User:x")]
    public async Task Acl_commands_name_the_setting_a_broker_without_authorizer_lacks(params string[] args)
    {
        var run = await cluster.RunAsync(["acls", .. args]);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("SECURITY_DISABLED", run.Error, StringComparison.Ordinal);
        Assert.Contains("authorizer.class.name", run.Error, StringComparison.Ordinal);
    }
}
