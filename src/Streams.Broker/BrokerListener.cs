using System.Globalization;
using Streams.Broker.Network;

namespace Streams.Broker;

/// <summary>One of a running broker's listeners.</summary>
/// <param name="Name">The listener name from <c>listeners</c> (e.g. PLAINTEXT, SASL_SSL).</param>
/// <param name="Protocol">Its security protocol.</param>
/// <param name="Host">The host it advertises.</param>
/// <param name="Port">The port it bound.</param>
public sealed record BrokerListener(string Name, SecurityProtocol Protocol, string Host, int Port)
{
    /// <summary>The value for a client's <c>bootstrap.servers</c> on this listener.</summary>
    public string BootstrapServers => $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";
}
