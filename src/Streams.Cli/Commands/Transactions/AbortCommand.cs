using System.CommandLine;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Cli.Infrastructure;

namespace Streams.Cli.Commands.Transactions;

/// <summary>
/// <c>streams transactions abort --topic --partition --producer-id --producer-epoch --coordinator-epoch</c>: writes an
/// ABORT marker for the producer at the partition's leader (WriteTxnMarkers), ending a hanging transaction that no
/// coordinator will end; the values come from <c>find-hanging</c>. As kafka-transactions.sh abort, for hanging
/// transactions only: aborting one its coordinator still tracks leaves the two disagreeing.
/// </summary>
internal static class AbortCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var topic = new Option<string>("--topic") { Description = "Topic of the partition holding the hanging transaction", Required = true };
        var partition = new Option<int>("--partition") { Description = "Partition holding the hanging transaction", Required = true };
        var producerId = new Option<long>("--producer-id") { Description = "Producer id of the transaction (find-hanging shows it)", Required = true };
        var producerEpoch = new Option<short>("--producer-epoch") { Description = "Producer epoch of the transaction", Required = true };
        var coordinatorEpoch = new Option<int>("--coordinator-epoch") { Description = "Coordinator epoch of the producer", Required = true };
        var command = new Command("abort", "Abort a hanging transaction at one partition (writes its ABORT marker)") { topic, partition, producerId, producerEpoch, coordinatorEpoch };
        cli.SetAction(command, async (parse, session, cancellationToken) =>
        {
            var (name, index) = (parse.GetValue(topic)!, parse.GetValue(partition));
            using var cluster = await TransactionCluster.OpenAsync(session, cancellationToken).ConfigureAwait(false);
            var request = new WriteTxnMarkersRequest
            {
                Markers = [new WriteTxnMarkersRequest.WritableTxnMarker
                {
                    ProducerId = parse.GetValue(producerId),
                    ProducerEpoch = parse.GetValue(producerEpoch),
                    CoordinatorEpoch = parse.GetValue(coordinatorEpoch),
                    TransactionResult = false,
                    Topics = [new WriteTxnMarkersRequest.WritableTxnMarkerTopic { Name = name, PartitionIndexes = [index] }],
                }],
            };
            var response = await cluster.SendAsync<WriteTxnMarkersRequest, WriteTxnMarkersResponse>(cluster.LeaderOf(name, index), request, 1).ConfigureAwait(false);
            var error = response.Markers.SelectMany(m => m.Topics).SelectMany(t => t.Partitions).Single().ErrorCode;
            if (error != ErrorCode.None)
            {
                throw new CliException($"Could not abort the transaction of producer {request.Markers[0].ProducerId} at {name}-{index}: {error}");
            }

            var json = new { topic = name, partition = index, producerId = request.Markers[0].ProducerId, producerEpoch = request.Markers[0].ProducerEpoch, result = "aborted" };
            await session.WriteAsync(json, writer => writer.WriteLineAsync($"Aborted the transaction of producer {json.producerId} (epoch {json.producerEpoch}) at {name}-{index}")).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
