using System.Diagnostics.Metrics;

namespace Streams.KafkaConsole.Sampling;

/// <summary>The broker's own activity at one sample, read from its metrics.</summary>
/// <param name="Connections">Client connections open now.</param>
/// <param name="RequestsPerSecond">Requests handled per second since the previous sample (all APIs); null at the first.</param>
public sealed record BrokerActivity(long Connections, double? RequestsPerSecond);

/// <summary>
/// Reads the embedded broker's metrics (meter <c>Streams.Broker</c>: open connections, requests handled) when it runs
/// in this process, as in the worker: the broker's state without asking it anything. Against another process's broker
/// the meter never appears and <see cref="Read"/> says null; that broker's metrics are in the OpenTelemetry backend.
/// Only these two instruments are listened to (the request duration stays untimed).
/// </summary>
internal sealed class InProcessBroker : IDisposable
{
    private const string MeterName = "Streams.Broker";
    private readonly MeterListener _listener = new();
    private long _connections;
    private long _requests;
    private bool _seen;

    public InProcessBroker()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName && instrument.Name is "streams.broker.connections" or "streams.broker.requests")
            {
                _seen = true;
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "streams.broker.requests")
            {
                Interlocked.Add(ref _requests, value);
            }
            else
            {
                Interlocked.Exchange(ref _connections, value);
            }
        });
        _listener.Start();
    }

    /// <summary>Open connections and requests handled so far; null when no broker runs in this process.</summary>
    public (long Connections, long Requests)? Read()
    {
        if (!Volatile.Read(ref _seen))
        {
            return null;
        }

        _listener.RecordObservableInstruments();
        return (Interlocked.Read(ref _connections), Interlocked.Read(ref _requests));
    }

    public void Dispose() => _listener.Dispose();
}
