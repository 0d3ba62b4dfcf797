using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Streams.Broker.Security.Authentication.Tls;

/// <summary>What TLS established for a connection: the client certificate's principal, if it sent one.</summary>
internal sealed class TlsConnectionFeature(KafkaPrincipal? clientPrincipal)
{
    public KafkaPrincipal? ClientPrincipal { get; } = clientPrincipal;
}

/// <summary>
/// TLS for an SSL or SASL_SSL listener as Kestrel connection middleware: the platform's SslStream (TLS 1.2/1.3)
/// over the connection's pipes, and the Kafka connection then runs on the decrypted pipes. Kestrel's own UseHttps
/// needs the services of a web host (its metrics and HTTP protocol selection), which this listener does not have.
/// A failed handshake (a plaintext client, an untrusted or missing client certificate) is audited and the
/// connection closed: nothing is read from it as a request.
/// </summary>
internal sealed class TlsConnectionMiddleware(TlsListenerSettings settings, string listenerName, ILogger audit)
{
    /// <summary>How long a client gets to complete the handshake (Kestrel's default for HTTPS).</summary>
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    public async Task RunAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var original = connection.Transport;
        var client = (connection.RemoteEndPoint as IPEndPoint)?.ToString() ?? "unknown";
        var ssl = new SslStream(new DuplexPipeStream(original), leaveInnerStreamOpen: false);
        await using (ssl.ConfigureAwait(false))
        {
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed))
            {
                timeout.CancelAfter(HandshakeTimeout);
                try
                {
                    await ssl.AuthenticateAsServerAsync(settings.ServerOptions(), timeout.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException or InvalidOperationException)
                {
                    SecurityAudit.AuthenticationFailed(audit, "", "SSL", listenerName, client, "TLS handshake failed: " + (ex.InnerException?.Message ?? ex.Message));
                    return;
                }
            }

            KafkaPrincipal? principal = null;
            if (ssl.RemoteCertificate is { } certificate)
            {
                using var parsed = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                principal = CertificatePrincipal.For(parsed);
                SecurityAudit.AuthenticationSucceeded(audit, principal.ToString(), "SSL", listenerName, client);
            }

            connection.Features.Set(new TlsConnectionFeature(principal));
            var input = PipeReader.Create(ssl, new StreamPipeReaderOptions(leaveOpen: true));
            var output = PipeWriter.Create(ssl, new StreamPipeWriterOptions(leaveOpen: true));
            connection.Transport = new DecryptedPipe(input, output);
            try
            {
                await next(connection).ConfigureAwait(false);
            }
            finally
            {
                connection.Transport = original;
            }
        }
    }

    private sealed class DecryptedPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
