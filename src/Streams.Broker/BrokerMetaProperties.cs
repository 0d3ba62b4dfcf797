using System.Globalization;
using Streams.Broker.Storage;

namespace Streams.Broker;

/// <summary><c>meta/meta.properties</c>, as in Kafka: the cluster id and node id this data directory belongs to.</summary>
internal sealed class BrokerMetaProperties(string metaDirectory)
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
                .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.Ordinal);
            if (properties.TryGetValue("cluster.id", out var existing))
            {
                return existing;
            }
        }

        // Kafka cluster ids are a random UUID in URL-safe base64 without padding (22 characters).
        var clusterId = Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        FileUtil.WriteAtomically(PropertiesPath, $"version=1\ncluster.id={clusterId}\nnode.id={nodeId.ToString(CultureInfo.InvariantCulture)}\n");
        return clusterId;
    }
}
