using System.Text.Json.Nodes;
using Confluent.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Streams.KafkaConsole.Components.Parts;
using Streams.KafkaConsole.Hosting;
using Streams.KafkaConsole.Rendering;
using Streams.KafkaConsole.Sampling;
using Streams.Operations;
using Streams.Operations.Cluster;
using Streams.Operations.Groups;
using Streams.Operations.Records;

namespace Streams.KafkaConsole.Live;

/// <summary>
/// The console's Server-Sent Event streams. Fragments: each event is a JSON object of element id → HTML, rendered by
/// the same components the page first showed, pushed at every sample. Tail: each event is one decoded record.
/// </summary>
internal static class LiveEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/console/live/overview", (HttpContext context, ClusterSampler sampler, FragmentRenderer renderer) =>
            PushAsync(context, sampler, async snapshot => new JsonObject
            {
                ["topics"] = await renderer.RenderAsync<TopicsTable>(new() { ["Snapshot"] = snapshot }).ConfigureAwait(false),
                ["groups"] = await renderer.RenderAsync<GroupsTable>(new() { ["Snapshot"] = snapshot }).ConfigureAwait(false),
            }));
        endpoints.MapGet("/console/live/groups/{id}", (string id, HttpContext context, ClusterSampler sampler, ConsoleClients clients, FragmentRenderer renderer) =>
            PushAsync(context, sampler, async _ =>
            {
                var positions = await GroupPositions.ReadAsync(clients.Admin, id).ConfigureAwait(false);
                return new JsonObject
                {
                    ["group-state"] = await renderer.RenderAsync<GroupTable>(new() { ["Positions"] = positions }).ConfigureAwait(false),
                    ["lag-chart"] = SvgChart.Line(sampler.LagHistory(id)).Value,
                };
            }));
        endpoints.MapGet("/console/live/tail/{topic}", TailAsync);
    }

    private static async Task PushAsync(HttpContext context, ClusterSampler sampler, Func<ClusterSnapshot, Task<JsonObject>> fragments)
    {
        await ServerSentEvents.BeginAsync(context.Response).ConfigureAwait(false);
        var aborted = context.RequestAborted;
        try
        {
            while (!aborted.IsCancellationRequested)
            {
                var snapshot = await sampler.NextAsync(aborted).ConfigureAwait(false);
                await ServerSentEvents.SendAsync(context.Response, (await fragments(snapshot).ConfigureAwait(false)).ToJsonString()).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The page was closed.
        }
    }

    private static async Task TailAsync(string topic, string? from, string? filter, HttpContext context, ConsoleClients clients)
    {
        var aborted = context.RequestAborted;
        IReadOnlyList<TopicPartition> partitions;
        Dictionary<TopicPartition, long> start;
        try
        {
            partitions = await ClusterQueries.PartitionsAsync(clients.Admin, topic).ConfigureAwait(false);
            start = await LogPositions.ResolveAsync(clients.Admin, partitions, string.IsNullOrWhiteSpace(from) ? "end" : from, "from").ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationFailedException or InvalidRequestException)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync(e.Message, aborted).ConfigureAwait(false);
            return;
        }

        await ServerSentEvents.BeginAsync(context.Response).ConfigureAwait(false);
        var decoder = new FormatDecoder(clients.Registry);
        using var consumer = clients.CreateReader();
        consumer.Assign(start.Select(p => new TopicPartitionOffset(p.Key, p.Value)));
        try
        {
            // A comment line at once: the browser's EventSource reports "open" and the test knows the tail is assigned.
            await context.Response.WriteAsync(": assigned\n\n", aborted).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(aborted).ConfigureAwait(false);
            while (!aborted.IsCancellationRequested)
            {
                // librdkafka has no asynchronous poll: a short blocking poll off the request thread.
                var result = await Task.Run(() => consumer.Consume(TimeSpan.FromMilliseconds(250)), aborted).ConfigureAwait(false);
                if (result is null || result.IsPartitionEOF)
                {
                    continue;
                }

                var json = (await TailRecord.ToJsonAsync(result, decoder).ConfigureAwait(false)).ToJsonString();
                if (string.IsNullOrEmpty(filter) || json.Contains(filter, StringComparison.OrdinalIgnoreCase))
                {
                    await ServerSentEvents.SendAsync(context.Response, json).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
        }
        finally
        {
            consumer.Close();
        }
    }
}
