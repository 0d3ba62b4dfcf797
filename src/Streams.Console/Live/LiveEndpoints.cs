using System.Text.Json.Nodes;
using Confluent.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Streams.KafkaConsole.Components.Parts;
using Streams.KafkaConsole.Rendering;
using Streams.KafkaConsole.Sampling;
using Streams.KafkaConsole.Sessions;
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
        endpoints.MapGet("/console/live/overview", (HttpContext context, ConsoleSession session, FragmentRenderer renderer) =>
            PushAsync(context, session, async snapshot => new JsonObject
            {
                ["topics"] = await renderer.RenderAsync<TopicsTable>(new() { ["Snapshot"] = snapshot }).ConfigureAwait(false),
                ["groups"] = await renderer.RenderAsync<GroupsTable>(new() { ["Snapshot"] = snapshot }).ConfigureAwait(false),
            }));
        endpoints.MapGet("/console/live/groups/{id}", (string id, HttpContext context, ConsoleSession session, FragmentRenderer renderer) =>
            PushAsync(context, session, async _ =>
            {
                var positions = await GroupPositions.ReadAsync(session.Clients.Admin, id).ConfigureAwait(false);
                return new JsonObject
                {
                    ["group-state"] = await renderer.RenderAsync<GroupTable>(new() { ["Positions"] = positions }).ConfigureAwait(false),
                    ["lag-chart"] = SvgChart.Line(session.Sampler.LagHistory(id)).Value,
                };
            }));
        endpoints.MapGet("/console/live/tail/{topic}", TailAsync);
    }

    private static async Task PushAsync(HttpContext context, ConsoleSession session, Func<ClusterSnapshot, Task<JsonObject>> fragments)
    {
        await ServerSentEvents.BeginAsync(context.Response).ConfigureAwait(false);
        using var ended = Ended(context, session);
        var token = ended.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var snapshot = await session.Sampler.NextAsync(token).ConfigureAwait(false);
                session.Touch();
                await ServerSentEvents.SendAsync(context.Response, (await fragments(snapshot).ConfigureAwait(false)).ToJsonString()).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The page was closed, the session ended or the host is stopping.
        }
        catch (Exception e) when (AccessDenied.Is(e))
        {
            await DeniedAsync(context, e).ConfigureAwait(false);
        }
    }

    private static Task DeniedAsync(HttpContext context, Exception e) =>
        ServerSentEvents.SendAsync(context.Response, new JsonObject { ["reason"] = e.Message }.ToJsonString(), "denied");

    /// <summary>Ends a live stream when the browser leaves, the session closes (sign-out, idle, host stopping) or the host stops.</summary>
    private static CancellationTokenSource Ended(HttpContext context, ConsoleSession session) =>
        CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, session.Closed,
            context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);

    private static async Task TailAsync(string topic, string? from, string? filter, HttpContext context, ConsoleSession session)
    {
        var clients = session.Clients;
        using var ended = Ended(context, session);
        var aborted = ended.Token;
        IReadOnlyList<TopicPartition> partitions;
        Dictionary<TopicPartition, long> start;
        try
        {
            partitions = await ClusterQueries.PartitionsAsync(clients.Admin, topic).ConfigureAwait(false);
            start = await LogPositions.ResolveAsync(clients.Admin, partitions, string.IsNullOrWhiteSpace(from) ? "end" : from, "from").ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationFailedException or InvalidRequestException || AccessDenied.Is(e))
        {
            context.Response.StatusCode = AccessDenied.Is(e) ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest;
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
                session.Touch();
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
        catch (ConsumeException e) when (AccessDenied.Is(e))
        {
            // Describe lets the tail find the partitions; reading them needs Read on the topic.
            await DeniedAsync(context, e).ConfigureAwait(false);
        }
        finally
        {
            consumer.Close();
        }
    }
}
