using Xunit.Abstractions;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Streams.KafkaConsole.Hosting;

namespace Streams.KafkaConsole.Tests;

/// <summary>
/// The console against a SASL SCRAM listener with ACLs: each browser signs in, and sees and may do what its user's
/// ACLs allow, through Kafka clients of its own.
/// </summary>
public sealed class SecuredConsoleTests(SecuredConsoleFixture cluster, ITestOutputHelper output) : IClassFixture<SecuredConsoleFixture>, IAsyncLifetime
{
    private long _logStart;

    public Task InitializeAsync()
    {
        _logStart = new FileInfo(cluster.LogPath).Length;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await cluster.ClosePagesAsync();
        // What the console logged during this test (slow pages, refusals): shown with a failure.
        using var log = new FileStream(cluster.LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        log.Seek(_logStart, SeekOrigin.Begin);
        output.WriteLine(await new StreamReader(log).ReadToEndAsync());
    }

    [SkippableFact]
    public async Task A_signed_in_user_sees_only_what_their_acls_allow_and_a_refusal_is_a_message()
    {
        await cluster.CreateTopicAsync("alice-orders", 1);
        await cluster.CreateTopicAsync("bob-orders", 1);
        await cluster.ProduceAsync("alice-orders", 3);
        await cluster.ProduceAsync("bob-orders", 2);
        await cluster.Admin.AlterConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitionOffsets("alice-readers", [new TopicPartitionOffset("alice-orders", 0, 1)])]);
        await cluster.Admin.AlterConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitionOffsets("bob-readers", [new TopicPartitionOffset("bob-orders", 0, 1)])]);
        // alice may describe and read her topic and group; nothing of bob's, and not her topic's configs.
        await cluster.AllowAliceAsync(ResourceType.Topic, "alice-orders", AclOperation.Describe, AclOperation.Read);
        await cluster.AllowAliceAsync(ResourceType.Group, "alice-readers", AclOperation.Describe, AclOperation.Read);

        // No session: the console asks to sign in, and refuses a wrong password with a message.
        var page = await cluster.OpenAsync("/groups");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/sign-in\\?return=%2Fgroups$"));
        await SecuredConsoleFixture.SignInAsync(page, "alice", "not-her-password");
        await Assertions.Expect(page.Locator("#sign-in-error")).ToContainTextAsync("did not accept");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ConsoleFixture.Screenshots, "sign-in.png"), FullPage = true });

        // Signed in: back where she was going, as herself.
        await SecuredConsoleFixture.SignInAsync(page, "alice", SecuredConsoleFixture.AlicePassword);
        await Assertions.Expect(page).ToHaveURLAsync(cluster.ConsoleUrl + "/groups");
        await Assertions.Expect(page.Locator("#signed-in-as")).ToHaveTextAsync("alice");
        await Assertions.Expect(page.Locator("tr[data-group='alice-readers']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("tr[data-group='bob-readers']")).ToHaveCountAsync(0);

        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "streams-console-session");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.False(cookie.Secure); // plain http here; Secure is set when the console is served over https

        await page.GotoAsync(cluster.ConsoleUrl + "/");
        await Assertions.Expect(page.Locator("tr[data-topic='alice-orders'] [data-messages]")).ToHaveTextAsync("3");
        await Assertions.Expect(page.Locator("tr[data-topic='bob-orders']")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ConsoleFixture.Screenshots, "signed-in-overview.png"), FullPage = true });

        // A group she may not describe: a page saying so (403), not an error.
        var denied = await page.GotoAsync(cluster.ConsoleUrl + "/groups/bob-readers");
        Assert.Equal(403, denied!.Status);
        await Assertions.Expect(page.Locator("#denied")).ToContainTextAsync("Your user alice may not do this");

        // Her topic, whose configs she may not describe: the rest of the page, and a note.
        await page.GotoAsync(cluster.ConsoleUrl + "/topics/alice-orders");
        await Assertions.Expect(page.Locator("#configs-denied")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#partitions tbody tr")).ToHaveCountAsync(1);

        // Signed out: the session is gone, and the console asks again.
        await page.ClickAsync("#sign-out-button");
        await Assertions.Expect(page).ToHaveURLAsync(cluster.ConsoleUrl + "/sign-in");
        await page.GotoAsync(cluster.ConsoleUrl + "/");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/sign-in\\?return="));
    }

    [SkippableFact]
    public async Task Two_browsers_signed_in_as_different_users_each_see_their_own_cluster()
    {
        await cluster.CreateTopicAsync("admin-only-orders", 1);
        var alice = await cluster.OpenAsync("/");
        var admin = await cluster.OpenAsync("/");
        await SecuredConsoleFixture.SignInAsync(alice, "alice", SecuredConsoleFixture.AlicePassword);
        await SecuredConsoleFixture.SignInAsync(admin, "admin", SecuredConsoleFixture.AdminPassword);

        await Assertions.Expect(admin.Locator("#signed-in-as")).ToHaveTextAsync("admin");
        await Assertions.Expect(admin.Locator("tr[data-topic='admin-only-orders']")).ToBeVisibleAsync();
        await Assertions.Expect(alice.Locator("#signed-in-as")).ToHaveTextAsync("alice");
        await Assertions.Expect(alice.Locator("h1", new() { HasText = "Overview" })).ToBeVisibleAsync();
        await Assertions.Expect(alice.Locator("tr[data-topic='admin-only-orders']")).ToHaveCountAsync(0);

        // A live stream without a session is refused outright (no data for whoever asks).
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(cluster.ConsoleUrl + "/console/live/overview"));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [SkippableFact]
    public async Task A_signed_in_users_live_tail_reads_with_their_credentials_and_says_when_refused()
    {
        await cluster.CreateTopicAsync("alice-tail", 1);
        await cluster.AllowAliceAsync(ResourceType.Topic, "alice-tail", AclOperation.Describe, AclOperation.Read);
        var page = await cluster.OpenAsync("/topics/alice-tail?from=end");
        await SecuredConsoleFixture.SignInAsync(page, "alice", SecuredConsoleFixture.AlicePassword);

        // A tail reader needs a consumer group (librdkafka's consumer always has one): a throwaway streams-console-*
        // group, never committed to, which alice may not describe yet. The page says so instead of reconnecting.
        await Assertions.Expect(page.Locator("p.denied")).ToContainTextAsync("Not allowed");

        await cluster.AllowAliceAsync(ResourceType.Group, "streams-console-", ResourcePatternType.Prefixed, AclOperation.Describe);
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("table#tail[data-open='true']")).ToBeVisibleAsync();
        await cluster.ProduceAsync("alice-tail", 1, "for-alice-");
        await Assertions.Expect(page.Locator("#tail tbody tr", new() { HasText = "for-alice-0" })).ToBeVisibleAsync(new() { Timeout = 5000 });
        await Assertions.Expect(page.Locator("p.denied")).ToHaveCountAsync(0);
    }

    [SkippableFact]
    public async Task An_idle_session_is_closed_and_the_browser_signs_in_again()
    {
        Skip.If(cluster.Browser is null, $"no {ConsoleFixture.Chromium}");
        var url = $"http://127.0.0.1:{ConsoleFixture.FreePort()}";
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        builder.Services.AddStreamsConsole((_, options) =>
        {
            options.Kafka = new(StringComparer.Ordinal)
            {
                ["bootstrap.servers"] = cluster.SaslBootstrap,
                ["security.protocol"] = "SASL_PLAINTEXT",
                ["sasl.mechanism"] = "SCRAM-SHA-256",
            };
            options.SchemaRegistry = new(StringComparer.Ordinal) { ["schema.registry.url"] = cluster.RegistryUrl };
            options.SessionIdleTimeout = TimeSpan.FromSeconds(1);
        });
        await using var app = builder.Build();
        app.MapStreamsConsole();
        await app.StartAsync();

        var context = await cluster.Browser!.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(url + "/schemas");
        await SecuredConsoleFixture.SignInAsync(page, "admin", SecuredConsoleFixture.AdminPassword);
        await Assertions.Expect(page.Locator("#signed-in-as")).ToHaveTextAsync("admin");

        // Nothing open that keeps it alive (the schemas page has no live part): after the timeout the session is closed.
        await Task.Delay(TimeSpan.FromSeconds(4));
        await page.GotoAsync(url + "/schemas");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/sign-in\\?return=%2Fschemas$"));
        await context.DisposeAsync();
        await app.StopAsync();
    }
}
