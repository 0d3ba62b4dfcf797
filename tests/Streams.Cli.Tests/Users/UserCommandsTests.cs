using Streams.Cli.Tests.Support;

namespace Streams.Cli.Tests.Users;

/// <summary>
/// <c>streams users add/list/remove</c> against an embedded broker with a SCRAM listener: a user the CLI creates can
/// log in with its password (the CLI's own <c>-X</c> client settings), and no longer once removed.
/// </summary>
[Collection(SecuredClusterCollection.Name)]
public sealed class UserCommandsTests(SecuredClusterFixture cluster)
{
    private static string NewUser() => $"user-{Guid.NewGuid().ToString("N")[..8]}";

    private Task<CliRun> LogInAsync(string user, string password, string mechanism) =>
        cluster.RunOnAsync(cluster.SaslBootstrap, null, "topics", "list", "-o", "json",
            "-X", "security.protocol=SASL_PLAINTEXT", "-X", $"sasl.mechanism={mechanism}", "-X", $"sasl.username={user}", "-X", $"sasl.password={password}");

    [Fact]
    public async Task A_user_added_with_the_password_on_standard_input_logs_in_until_removed()
    {
        var user = NewUser();

        var added = await cluster.RunOnAsync(cluster.Bootstrap, "s3cret-from-stdin\n", "users", "add", user, "--mechanism", "SCRAM-SHA-512", "--iterations", "8192");
        var listed = await cluster.RunAsync("users", "list", "-o", "json");
        var named = await cluster.RunAsync("users", "list", user);
        var loggedIn = await LogInAsync(user, "s3cret-from-stdin", "SCRAM-SHA-512");
        var removed = await cluster.RunAsync("users", "remove", user);
        var gone = await cluster.RunAsync("users", "list", user, "-o", "json");
        var refused = await LogInAsync(user, "s3cret-from-stdin", "SCRAM-SHA-512");
        var removedAgain = await cluster.RunAsync("users", "remove", user);

        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.DoesNotContain("s3cret", added.Output + added.Error, StringComparison.Ordinal);
        Assert.True(listed.ExitCode == 0, listed.ToString());
        var entry = Assert.Single(listed.Json.EnumerateArray(), u => u.GetProperty("user").GetString() == user);
        Assert.Equal("SCRAM-SHA-512", entry.GetProperty("mechanism").GetString());
        Assert.Equal(8192, entry.GetProperty("iterations").GetInt32());
        Assert.StartsWith("USER", named.Output, StringComparison.Ordinal);
        Assert.Contains(user, named.Output, StringComparison.Ordinal);
        Assert.True(loggedIn.ExitCode == 0, loggedIn.ToString());
        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.Equal(0, gone.Json.GetArrayLength());
        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.True(removedAgain.ExitCode == 1, removedAgain.ToString());
        Assert.Contains("no SCRAM credentials", removedAgain.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_password_file_sets_and_changes_a_password_and_the_old_one_stops_working()
    {
        var user = NewUser();
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "first-password\n");
            var added = await cluster.RunAsync("users", "add", "--user", user, "--password-file", file);
            var first = await LogInAsync(user, "first-password", "SCRAM-SHA-256");
            var changed = await cluster.RunAsync("users", "add", user, "--password", "second-password");
            var old = await LogInAsync(user, "first-password", "SCRAM-SHA-256");
            var second = await LogInAsync(user, "second-password", "SCRAM-SHA-256");
            var listed = await cluster.RunAsync("users", "list", user, "-o", "json");
            await cluster.RunAsync("users", "remove", user);

            Assert.True(added.ExitCode == 0, added.ToString());
            Assert.True(first.ExitCode == 0, first.ToString());
            Assert.True(changed.ExitCode == 0, changed.ToString());
            Assert.True(old.ExitCode == 1, old.ToString());
            Assert.True(second.ExitCode == 0, second.ToString());
            var entry = Assert.Single(listed.Json.EnumerateArray());
            Assert.Equal("SCRAM-SHA-256", entry.GetProperty("mechanism").GetString());
            Assert.Equal(4096, entry.GetProperty("iterations").GetInt32());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("add", "nobody-without-password")]
    [InlineData("add", "u", "--password", "p", "--iterations", "100")]
    [InlineData("add", "u", "--password", "p", "--mechanism", "PLAIN")]
    [InlineData("add", "u", "--password", "p", "--password-file", "/nonexistent")]
    public async Task A_malformed_users_command_line_is_a_usage_error(params string[] args)
    {
        var run = await cluster.RunAsync(["users", .. args]);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("error:", run.Error, StringComparison.Ordinal);
    }
}
