using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Streams.Contracts.Topics;
using Streams.Worker;

namespace Streams.KafkaConsole.Tests;

/// <summary>The worker serves the console at <c>/</c>: the catalog's topics, the topology application's group, rates while the simulator runs.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class WorkerConsoleTests(ConsoleFixture cluster)
{
    [SkippableFact]
    public async Task The_worker_serves_the_console_with_the_catalogs_topics_and_the_topology_group()
    {
        var data = Path.Combine(Path.GetTempPath(), "streams-console-tests", Guid.NewGuid().ToString("N"));
        await using WebApplication app = WorkerApp.Build([], options =>
        {
            options.DataDirectory = data;
            options.EmbeddedKafkaPort = 0;
            options.EmbeddedRegistryPort = 0;
            options.HttpUrl = "http://127.0.0.1:0";
            options.Simulator.EventsPerSecond = 50;
        });
        await app.StartAsync();
        IPage? page = null;
        try
        {
            var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            Skip.If(cluster.Browser is null, $"no {ConsoleFixture.Chromium}");
            page = await cluster.Browser!.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
            await page.GotoAsync(url + "/");
            foreach (var topic in TopicCatalog.All)
            {
                await Assertions.Expect(page.Locator($"tr[data-topic='{topic.Name}'] td").Nth(1)).ToHaveTextAsync(topic.Partitions.ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = 30_000 });
            }

            // The embedded broker runs in the worker's process: its own metrics tell its connections (the worker's clients at least).
            await Assertions.Expect(page.Locator("#broker-connections")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[1-9][0-9]*$"));

            // The page is live: the topology application's group appears once it has joined, without a reload.
            await Assertions.Expect(page.Locator($"tr[data-group='{TopicCatalog.TopologyApplication.ApplicationId}']")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await page.WaitForTimeoutAsync(6000); // a few samples, so the screenshot's sparklines have a shape
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ConsoleFixture.Screenshots, "worker-overview.png"), FullPage = true });
        }
        finally
        {
            if (page is not null)
            {
                await page.CloseAsync();
            }

            await app.StopAsync();
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
