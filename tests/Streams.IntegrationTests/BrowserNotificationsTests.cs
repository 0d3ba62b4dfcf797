using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using static Streams.IntegrationTests.TestEvents;

namespace Streams.IntegrationTests;

/// <summary>
/// <c>/notifications</c> in a real browser: headless Chromium opens it with <c>EventSource</c> from a page this test
/// serves, and the page posts back what it receives (the event, its <c>lastEventId</c>).
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class BrowserNotificationsTests(WorkerFixture worker) : IClassFixture<WorkerFixture>
{
    private static string? FindChromium() =>
        new[] { "chromium", "chromium-browser", "google-chrome" }
            .SelectMany(name => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(dir => Path.Combine(dir, name)))
            .FirstOrDefault(File.Exists);

    [SkippableFact]
    public async Task An_EventSource_in_headless_chromium_receives_orders_with_resumable_ids()
    {
        var chromium = FindChromium();
        Skip.If(chromium is null, "no chromium on the PATH (Debian: apt-get install chromium)");

        var cart = NewCart();
        var port = FreePort();
        var posted = new BlockingCollection<string>();
        using var server = new HttpListener();
        server.Prefixes.Add($"http://127.0.0.1:{port}/");
        server.Start();
        var page = $$"""
            <!doctype html><html><body><script>
            const report = text => fetch("/report", { method: "POST", body: text });
            const source = new EventSource("{{worker.WorkerUrl.ToString().TrimEnd('/')}}/notifications?type=order&key={{cart}}");
            source.onopen = () => report("open");
            source.addEventListener("order", e => report("order " + e.lastEventId + " " + e.data));
            </script></body></html>
            """;
        _ = Task.Run(async () =>
        {
            while (server.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await server.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                if (context.Request.HttpMethod == "POST")
                {
                    using var body = new StreamReader(context.Request.InputStream);
                    posted.Add(await body.ReadToEndAsync());
                }
                else
                {
                    var bytes = Encoding.UTF8.GetBytes(page);
                    context.Response.ContentType = "text/html";
                    await context.Response.OutputStream.WriteAsync(bytes);
                }

                context.Response.Close();
            }
        });

        var profile = Directory.CreateTempSubdirectory("streams-chromium-");
        using var browser = Process.Start(new ProcessStartInfo(chromium!)
        {
            ArgumentList = { "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", $"--user-data-dir={profile.FullName}", $"http://127.0.0.1:{port}/" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        try
        {
            Assert.True(posted.TryTake(out var first, TimeSpan.FromSeconds(60)), "the page did not open the stream");
            Assert.Equal("open", first);

            await worker.Publisher.PublishAsync(Added(cart, "mug", 2, 7.5m));
            await worker.Publisher.PublishAsync(CheckedOut(cart));

            Assert.True(posted.TryTake(out var order, TimeSpan.FromSeconds(60)), "no order reached the browser");
            var parts = order!.Split(' ', 3);
            Assert.Equal("order", parts[0]);
            Assert.NotNull(Streams.Consumers.Notifications.NotificationPosition.TryParse(parts[1]));
            Assert.Contains(cart, parts[2], StringComparison.Ordinal);
        }
        finally
        {
            browser.Kill(entireProcessTree: true);
            await browser.WaitForExitAsync();
            server.Stop();
            profile.Delete(recursive: true);
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
