using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authorization;
using Streams.Broker.Storage;

namespace Streams.Broker.Apis;

/// <summary>
/// DescribeLogDirs (35), v1-4: v2 flexible, v3 a top-level error code, v4 the directory's total and usable bytes.
/// This broker has one log directory, its data directory; each partition's size is what its segment files hold on
/// disk now, and no partition is ever being moved (offset lag 0, never a future replica). Null topics = every
/// partition. Needs Describe on the cluster (else CLUSTER_AUTHORIZATION_FAILED, with no directories).
/// </summary>
internal sealed class DescribeLogDirsApi : ApiHandler<DescribeLogDirsRequest, DescribeLogDirsResponse>
{
    public override ValueTask<DescribeLogDirsResponse> HandleAsync(RequestContext context, DescribeLogDirsRequest request)
    {
        var response = new DescribeLogDirsResponse();
        if (!context.AuthorizeCluster(AclOperation.Describe))
        {
            response.ErrorCode = ErrorCode.ClusterAuthorizationFailed;
            return ValueTask.FromResult(response);
        }

        var logs = context.Broker.Logs;
        var wanted = request.Topics is null
            ? logs.Topics.Select(t => (t.Name, Partitions: t.Partitions.Select(p => p.Index)))
            : request.Topics.GroupBy(t => t.Topic, StringComparer.Ordinal).Select(g => (Name: g.Key, Partitions: g.SelectMany(t => t.Partitions).Distinct()));
        var directory = Path.GetFullPath(logs.DataDirectory);
        var result = new DescribeLogDirsResponse.Result { LogDir = directory };
        foreach (var (name, partitions) in wanted.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            // A partition this broker does not have is left out, as Kafka answers for what the directory holds.
            var sizes = partitions.Order().Select(p => (Index: p, Partition: logs.GetPartition(name, p))).Where(p => p.Partition is not null)
                .Select(p => new DescribeLogDirsResponse.Partition { PartitionIndex = p.Index, PartitionSize = SizeOnDisk(p.Partition!) })
                .ToList();
            if (sizes.Count > 0)
            {
                result.Topics.Add(new DescribeLogDirsResponse.Topic { Name = name, Partitions = sizes });
            }
        }

        try
        {
            var drive = new DriveInfo(directory);
            result.TotalBytes = drive.TotalSize;
            result.UsableBytes = drive.AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // The sizes stay -1 (unknown), which v4 allows.
        }

        response.Results.Add(result);
        return ValueTask.FromResult(response);
    }

    /// <summary>The bytes of the partition's segment files (its records; indexes are not counted, as in Kafka).</summary>
    private static long SizeOnDisk(Partition partition)
    {
        try
        {
            return new DirectoryInfo(partition.Log.Directory).EnumerateFiles("*.log").Sum(f => f.Length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Deleted meanwhile: nothing is stored any more.
            return 0;
        }
    }
}
