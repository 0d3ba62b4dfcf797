using System.Globalization;
using Microsoft.Extensions.Logging;
using Streams.Broker.Storage;

namespace Streams.Broker;

/// <summary><c>meta/meta.properties</c>, as in Kafka: the cluster id and node id this data directory belongs to.</summary>
internal sealed partial class BrokerMetaProperties(string metaDirectory, ILogger? logger = null, TimeProvider? time = null)
{
    private string PropertiesPath => Path.Combine(metaDirectory, "meta.properties");

    public string LoadOrCreateClusterId(int nodeId)
    {
        Directory.CreateDirectory(metaDirectory);
        if (File.Exists(PropertiesPath))
        {
            var properties = File.ReadAllLines(PropertiesPath)
                .Select(l => l.Split('=', 2))
                .Where(p => p.Length == 2)
                .GroupBy(p => p[0].Trim(), StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Last()[1].Trim(), StringComparer.Ordinal);
            if (properties.TryGetValue("cluster.id", out var existing) && existing.Length > 0)
            {
                return existing;
            }

            // Damaged (no cluster id): keep it for inspection rather than overwrite it, and say so.
            var aside = FileUtil.SiblingPath(PropertiesPath, FileUtil.QuarantineSuffix((time ?? TimeProvider.System).GetUtcNow()));
            File.Move(PropertiesPath, aside);
            if (logger is not null)
            {
                LogDamaged(logger, PropertiesPath, aside);
            }
        }

        // Kafka cluster ids are a random UUID in URL-safe base64 without padding (22 characters).
        var clusterId = Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        FileUtil.WriteAtomically(PropertiesPath, $"version=1\ncluster.id={clusterId}\nnode.id={nodeId.ToString(CultureInfo.InvariantCulture)}\n");
        return clusterId;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{File} has no cluster.id; set aside as {Aside} and a new cluster id is generated")]
    private static partial void LogDamaged(ILogger logger, string file, string aside);
}
