using System.Net;
using Streams.Broker.Configs;

namespace Streams.Broker.Network;

/// <summary>One running listener: its configuration, connection limits, the address bound and what it advertises.</summary>
internal sealed class ListenerEndpoint(ListenerConfig config, ListenerLimits limits)
{
    public ListenerConfig Config { get; } = config;

    public string Name => Config.Name;

    public ListenerLimits Limits { get; } = limits;

    /// <summary>The address actually bound (the real port when 0 was asked for); set once the server has started.</summary>
    public IPEndPoint Bound { get; set; } = new(IPAddress.None, 0);

    /// <summary>
    /// The host Metadata and FindCoordinator give to clients on this listener: <c>advertised.listeners</c>, else the
    /// bound host (127.0.0.1 when bound to every interface).
    /// </summary>
    public string AdvertisedHost => Config.AdvertisedHost
        ?? (Bound.Address.Equals(IPAddress.Any) || Bound.Address.Equals(IPAddress.IPv6Any) ? "127.0.0.1" : Config.Host);

    /// <summary>The advertised port: <c>advertised.listeners</c>, else the bound port.</summary>
    public int AdvertisedPort => Config.AdvertisedPort is { } port and > 0 ? port : Bound.Port;
}
