using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Xunit.Abstractions;

namespace Streams.AppHost.Tests;

/// <summary>
/// The app host as a user starts it: the broker, the registry and the worker as separate processes under Aspire's
/// orchestrator, each healthy, and one event's spans (the publisher's send and the consumer groups' process, across
/// the broker in between) read back from the Aspire dashboard's telemetry API, where they arrived over OTLP.
/// </summary>
public sealed class AppHostTests(ITestOutputHelper output)
{
    private static readonly string[] Resources = ["streams-broker", "streams-registry", "streams-worker"];

    [SkippableFact]
    public async Task Every_resource_becomes_healthy_and_one_event_is_traced_from_send_to_the_consumer_groups_in_the_dashboard()
    {
        var missing = OrchestratorMissing();
        Skip.If(missing is not null, missing);

        var dataDirectory = Path.Combine(Path.GetTempPath(), "streams-apphost-tests", Guid.NewGuid().ToString("N"));
        var apiKey = Guid.NewGuid().ToString("N");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try
        {
            // Ports of their own, so that the test runs beside a developer's app host or worker.
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Streams_AppHost>(
                [
                    $"AppHost:BrokerPort={FreePort()}",
                    $"AppHost:RegistryPort={FreePort()}",
                    $"AppHost:WorkerPort={FreePort()}",
                    $"AppHost:DataDirectory={dataDirectory}",
                    $"AppHost:DashboardApiKey={apiKey}",
                    $"ASPNETCORE_URLS=http://127.0.0.1:{FreePort()}",
                    $"ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://127.0.0.1:{FreePort()}",
                    $"ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=http://127.0.0.1:{FreePort()}",
                    $"ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://127.0.0.1:{FreePort()}",
                    "ASPIRE_ALLOW_UNSECURED_TRANSPORT=true",
                ],
                (options, _) =>
                {
                    options.DisableDashboard = false;
                    options.AllowUnsecuredTransport = true;
                },
                timeout.Token);
            await using var app = await builder.BuildAsync(timeout.Token);

            var started = Stopwatch.StartNew();
            await app.StartAsync(timeout.Token);
            foreach (var resource in Resources)
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
                output.WriteLine($"{resource} healthy after {started.ElapsedMilliseconds} ms");
            }

            // The testing builder gives the dashboard a port of its own choosing: asked of the app, not of the settings.
            using var http = new HttpClient { BaseAddress = app.GetEndpoint("aspire-dashboard", "http") };
            http.DefaultRequestHeaders.Add("x-api-key", apiKey);
            var trace = await WaitForTraceAsync(http, timeout.Token);

            output.WriteLine($"trace {trace.Key}:");
            foreach (var span in trace)
            {
                output.WriteLine($"  {span.Service} {span.Name} group={span.Group} parent={span.Parent}");
            }

            // The publisher's send is the root; the topology continues it (after the broker, in another client);
            // every consumer group's process span has its parent in the same trace.
            var send = Assert.Single(trace, s => s.Name.StartsWith("send ", StringComparison.Ordinal) && s.Parent is null);
            Assert.Equal("streams-worker", send.Service);
            var topology = Assert.Single(trace, s => s.Group == "streams-topology" && s.Parent == send.Id);
            var groups = trace.Where(s => s.Group is not null && s.Group != "streams-topology").ToList();
            Assert.NotEmpty(groups);
            Assert.All(groups, g => Assert.Contains(g.Parent, new[] { send.Id, topology.Id }));

            // The worker's console links a record's trace to this dashboard's trace view (the address it runs at).
            using var console = app.CreateHttpClient("streams-worker", "http");
            var topicPage = await console.GetStringAsync(new Uri("/topics/cart-events", UriKind.Relative), timeout.Token);
            Assert.Matches($"data-trace-url=\"http://[^\"/]+:{http.BaseAddress!.Port}/traces/detail/{{traceId}}\"", topicPage);

            // The broker's own metrics (meter Streams.Broker) reach the dashboard too, under the resource it started.
            await WaitForMetricsAsync(http, "streams-broker", timeout.Token);
        }
        finally
        {
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }

    /// <summary>
    /// Polls the dashboard's <c>/api/telemetry/traces</c> until a trace holds a publisher's send, the topology's process
    /// and a consumer group's process below it: the simulator publishes all the time, so one arrives within seconds.
    /// </summary>
    private static async Task<IGrouping<string, Span>> WaitForTraceAsync(HttpClient http, CancellationToken cancellationToken)
    {
        string? last = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var response = await http.GetAsync(new Uri("/api/telemetry/traces", UriKind.Relative), cancellationToken);
            last = $"{(int)response.StatusCode} {response.StatusCode}";
            if (response.StatusCode == HttpStatusCode.OK)
            {
                using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                var complete = Spans(document.RootElement).GroupBy(s => s.TraceId).FirstOrDefault(t =>
                    t.Any(s => s.Name.StartsWith("send ", StringComparison.Ordinal) && s.Parent is null)
                    && t.Any(s => s.Group == "streams-topology")
                    && t.Any(s => s.Group is not null && s.Group != "streams-topology" && t.Any(p => p.Id == s.Parent && p.Group == "streams-topology")));
                if (complete is not null)
                {
                    return complete;
                }
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No complete trace in the dashboard (last answer {last})");
            }
        }
    }

    /// <summary>Polls the dashboard's <c>/api/telemetry/resources</c> until <paramref name="service"/> has sent metrics.</summary>
    private async Task WaitForMetricsAsync(HttpClient http, string service, CancellationToken cancellationToken)
    {
        while (true)
        {
            var body = await http.GetStringAsync(new Uri("/api/telemetry/resources", UriKind.Relative), cancellationToken);
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.EnumerateArray().Any(r => r.GetProperty("name").GetString() == service && r.GetProperty("hasMetrics").GetBoolean()))
            {
                output.WriteLine($"resources: {body}");
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    /// <summary>The spans of an OTLP JSON body (resourceSpans → scopeSpans → spans), with the fields the test reads.</summary>
    private static IEnumerable<Span> Spans(JsonElement root)
    {
        foreach (var resource in root.GetProperty("data").GetProperty("resourceSpans").EnumerateArray())
        {
            var service = Attribute(resource.GetProperty("resource"), "service.name");
            foreach (var scope in resource.GetProperty("scopeSpans").EnumerateArray())
            {
                foreach (var span in scope.GetProperty("spans").EnumerateArray())
                {
                    var parent = span.TryGetProperty("parentSpanId", out var p) && p.GetString() is { Length: > 0 } id ? id : null;
                    yield return new Span(span.GetProperty("traceId").GetString()!, span.GetProperty("spanId").GetString()!, parent, span.GetProperty("name").GetString()!, service, Attribute(span, "messaging.consumer.group.name"));
                }
            }
        }
    }

    private static string? Attribute(JsonElement element, string key)
    {
        if (!element.TryGetProperty("attributes", out var attributes))
        {
            return null;
        }

        foreach (var attribute in attributes.EnumerateArray())
        {
            if (attribute.GetProperty("key").GetString() == key && attribute.GetProperty("value").TryGetProperty("stringValue", out var value))
            {
                return value.GetString();
            }
        }

        return null;
    }

    /// <summary>Why Aspire's orchestrator (DCP, from its NuGet package for this platform) cannot run here, or null.</summary>
    private static string? OrchestratorMissing()
    {
        var appHost = Assembly.Load("Streams.AppHost");
        var dcp = appHost.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "dcpclipath")?.Value;
        return dcp is null ? "the app host was built without Aspire's orchestrator (no dcpclipath): no Aspire.Hosting.Orchestration package for this platform"
            : !File.Exists(dcp) ? $"Aspire's orchestrator is not at {dcp}"
            : null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed record Span(string TraceId, string Id, string? Parent, string Name, string? Service, string? Group);
}
