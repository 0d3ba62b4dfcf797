using System.CommandLine;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Cli.Commands.Groups;
using Streams.Cli.Infrastructure;
using Streams.Operations.Cluster;
using Streams.Operations.Offsets;

namespace Streams.Cli.Commands.App;

/// <summary>
/// <c>streams app reset --application-id &lt;id&gt;</c>: kafka-streams-application-reset for a Streamiz application, plus
/// the local state Kafka's tool leaves to the user. Resets the input topics' offsets (same specifiers as
/// <c>groups reset-offsets</c>, default earliest), deletes the internal <c>{id}-…-changelog</c>/<c>-repartition</c>
/// topics and their committed offsets, and deletes <c>{state-dir}/{id}</c>, so the application rebuilds its state
/// from the chosen point. Dry run unless <c>--execute</c>; refused while the application runs.
/// </summary>
internal static class ResetCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var applicationId = new Option<string>("--application-id") { Description = "The Streamiz ApplicationId (its consumer group and topic prefix)", Required = true };
        var stateDir = new Option<string>("--state-dir")
        {
            Description = "Streamiz StateDir; the application's state is {state-dir}/{application-id} (default: the worker's ./data/topology-state)",
            DefaultValueFactory = _ => Path.Combine("data", "topology-state"),
        };
        var keepState = new Option<bool>("--keep-local-state") { Description = "Leave the local state directory alone (as Kafka's tool does)" };
        var reset = new OffsetResetOptions();
        var command = new Command("reset", "Reset a Streamiz application: input offsets, internal topics, local state (dry run unless --execute)") { applicationId, stateDir, keepState };
        reset.AddTo(command);
        cli.SetAction(command, async (parse, session, _) =>
        {
            var appId = parse.GetRequiredValue(applicationId);
            var request = reset.Read(parse, TimeProvider.System, defaults: ResetSpecifier.ToEarliest);
            using var admin = session.CreateAdmin();

            var metadata = await ClusterQueries.MetadataAsync(admin).ConfigureAwait(false);
            var internalTopics = metadata.Topics.Select(t => t.Topic).Where(t => IsInternal(appId, t)).Order(StringComparer.Ordinal).ToList();
            if (request.Scopes?.FirstOrDefault(s => IsInternal(appId, s.Topic)) is { } wrong)
            {
                throw CliException.Usage($"'{wrong.Topic}' is an internal topic of {appId}; it is deleted, not reset");
            }

            // The group's offsets on internal topics are not inputs: they go with the topics.
            var plan = (await OffsetResetPlanner.PlanAsync(admin, appId, request, topic => !IsInternal(appId, topic)).ConfigureAwait(false)).ToList();
            var committedInternal = (await ClusterQueries.CommittedAsync(admin, appId).ConfigureAwait(false)).Keys
                .Where(p => IsInternal(appId, p.Topic)).ToList();
            var stateDirectory = Path.GetFullPath(Path.Combine(parse.GetValue(stateDir)!, appId));
            var deleteState = !parse.GetValue(keepState) && Directory.Exists(stateDirectory);

            if (request.ExportFile is { } export)
            {
                await OffsetResetPlanner.ExportAsync(export, plan).ConfigureAwait(false);
            }

            if (request.Execute)
            {
                await OffsetResetPlanner.ApplyAsync(admin, appId, plan).ConfigureAwait(false);
                if (committedInternal.Count > 0)
                {
                    // Otherwise a recreated repartition topic would be read from the old, now meaningless, offsets.
                    await admin.DeleteConsumerGroupOffsetsAsync(appId, committedInternal).ConfigureAwait(false);
                }

                if (internalTopics.Count > 0)
                {
                    await admin.DeleteTopicsAsync(internalTopics).ConfigureAwait(false);
                }

                if (deleteState)
                {
                    Directory.Delete(stateDirectory, recursive: true);
                }
            }

            var json = new
            {
                applicationId = appId,
                executed = request.Execute,
                offsets = plan,
                deleteTopics = internalTopics,
                deleteStateDirectory = deleteState ? stateDirectory : null,
            };
            await session.WriteAsync(json, async writer =>
            {
                var table = new TextTable("GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "NEW-OFFSET");
                plan.ForEach(p => table.Add(appId, p.Topic, p.Partition, p.CurrentOffset, p.NewOffset));
                await table.WriteToAsync(writer).ConfigureAwait(false);
                await writer.WriteLineAsync().ConfigureAwait(false);
                await writer.WriteLineAsync(internalTopics.Count == 0 ? "Internal topics: none" : "Internal topics to delete: " + string.Join(", ", internalTopics)).ConfigureAwait(false);
                await writer.WriteLineAsync(deleteState ? $"Local state to delete: {stateDirectory}" : $"Local state: none at {stateDirectory}").ConfigureAwait(false);
            }).ConfigureAwait(false);
            await session.NoteAsync(request.Execute ? $"Application '{appId}' reset." : "Dry run: nothing changed. Add --execute to apply.").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Kafka Streams' (and Streamiz's) naming of internal topics: <c>{applicationId}-{name}-changelog|repartition</c>.</summary>
    private static bool IsInternal(string applicationId, string topic) =>
        topic.StartsWith(applicationId + "-", StringComparison.Ordinal)
        && (topic.EndsWith("-changelog", StringComparison.Ordinal) || topic.EndsWith("-repartition", StringComparison.Ordinal));
}
