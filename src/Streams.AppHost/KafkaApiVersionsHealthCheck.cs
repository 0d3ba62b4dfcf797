using System.Buffers.Binary;
using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Streams.AppHost;

/// <summary>
/// The broker serves no HTTP, so its health is asked in Kafka's own words: an ApiVersions v0 request (the one request
/// every broker answers before anything else) answered with error code 0 means it accepts clients.
/// </summary>
internal sealed class KafkaApiVersionsHealthCheck(string host, int port) : IHealthCheck
{
    private const short ApiVersionsKey = 18;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync(Request(), timeout.Token).ConfigureAwait(false);

            var header = new byte[10];
            await stream.ReadExactlyAsync(header, timeout.Token).ConfigureAwait(false);
            var errorCode = BinaryPrimitives.ReadInt16BigEndian(header.AsSpan(8));
            return errorCode == 0
                ? HealthCheckResult.Healthy($"{host}:{port} answers ApiVersions")
                : HealthCheckResult.Unhealthy($"{host}:{port} answered ApiVersions with error {errorCode}");
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"{host}:{port} does not answer ApiVersions: {ex.Message}");
        }
    }

    // size, api key, api version 0, correlation id 1, client id "streams-apphost".
    private static byte[] Request()
    {
        const string clientId = "streams-apphost";
        var body = new byte[2 + 2 + 4 + 2 + clientId.Length];
        BinaryPrimitives.WriteInt16BigEndian(body, ApiVersionsKey);
        BinaryPrimitives.WriteInt16BigEndian(body.AsSpan(2), 0);
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(4), 1);
        BinaryPrimitives.WriteInt16BigEndian(body.AsSpan(8), (short)clientId.Length);
        System.Text.Encoding.ASCII.GetBytes(clientId, body.AsSpan(10));
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        return frame;
    }
}
