namespace Streams.Broker.Configs;

/// <summary>The connection limits of one listener (Kafka allows each of them per listener).</summary>
/// <param name="MaxConnections"><c>max.connections</c>.</param>
/// <param name="MaxConnectionsPerIp"><c>max.connections.per.ip</c>.</param>
/// <param name="MaxConnectionsPerIpOverrides"><c>max.connections.per.ip.overrides</c>, by address.</param>
/// <param name="MaxIdle"><c>connections.max.idle.ms</c>.</param>
internal sealed record ListenerLimits(int MaxConnections, int MaxConnectionsPerIp, IReadOnlyDictionary<string, int> MaxConnectionsPerIpOverrides, TimeSpan MaxIdle)
{
    /// <summary>The per-address limit for <paramref name="address"/>, an override if one names it.</summary>
    public int PerIpLimit(System.Net.IPAddress address)
    {
        var key = (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
        return MaxConnectionsPerIpOverrides.TryGetValue(key, out var limit) ? limit : MaxConnectionsPerIp;
    }
}
