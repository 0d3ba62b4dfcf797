using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Tests.Protocol;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;

namespace Streams.Broker.Tests.Limits;

/// <summary>
/// A protocol fuzzer: valid frames for every API and version the broker advertises, mutated (bit flips, length and
/// count fields set to huge or negative values, truncations, random tagged fields, lying size prefixes, wrong
/// headers) and sent from several connections at once to a broker in its own process. After every batch the
/// broker must still answer ApiVersions on a fresh connection and on a connection held throughout, and its resident
/// memory must stay under <see cref="RssBound"/>. Seeded and repeatable: STREAMS_FUZZ_SEED replays a run (the seed
/// is printed), STREAMS_FUZZ_SECONDS runs longer than the default.
/// </summary>
[Collection(ResourceTestCollection.Name)]
public sealed class ProtocolFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const long RssBound = 512L * 1024 * 1024;
    private const int Workers = 4;
    private static readonly TimeSpan AnswerWait = TimeSpan.FromMilliseconds(300);
    private static readonly MethodInfo WriteBodyMethod = typeof(ProtocolFuzzTests).GetMethod(nameof(WriteBody), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "streams-broker-tests", Guid.NewGuid().ToString("N"));

    private sealed record Template(ApiKey Key, short Version, bool Flexible, byte[] Body);

    private sealed record Case(int Index, string Mutation, Template Template, byte[] Frame);

    [Fact]
    public async Task Mutated_frames_for_every_api_and_version_leave_the_broker_serving_within_its_memory_bound()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("STREAMS_FUZZ_SEED"), CultureInfo.InvariantCulture, out var s) ? s : Random.Shared.Next();
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("STREAMS_FUZZ_SECONDS"), CultureInfo.InvariantCulture, out var t) ? t : 25;
        output.WriteLine($"fuzz seed {seed} (replay with STREAMS_FUZZ_SEED={seed}), {seconds} s");

        using var broker = await BrokerProcess.StartAsync(_dataDirectory, null,
        [
            "--set", "socket.request.receive.timeout.ms=1000",
            "--set", "max.broker.partitions=200",
            "--set", "group.max.size=50",
        ]);
        using var held = await RawConnection.ConnectAsync(broker.BootstrapServers);
        var advertised = await held.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest(), 2);
        var templates = Templates(advertised!, seed);
        output.WriteLine($"{templates.Count} templates over {templates.Select(x => x.Key).Distinct().Count()} APIs");

        long peakRss = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested && !broker.HasExited)
            {
                try
                {
                    peakRss = Math.Max(peakRss, broker.ResidentBytes());
                }
                catch (IOException)
                {
                }

                await Task.Delay(50);
            }
        });

        var random = new Random(seed);
        var stopwatch = Stopwatch.StartNew();
        var cases = 0;
        var answered = 0;
        var closed = 0;
        var batch = 0;
        var mutations = new Dictionary<string, int>(StringComparer.Ordinal);
        try
        {
            while (stopwatch.Elapsed < TimeSpan.FromSeconds(seconds))
            {
                // The batch's cases come from the seed alone, whatever order the workers send them in.
                var batchCases = templates.Select(template => Mutate(template, random, cases++)).ToList();
                foreach (var c in batchCases)
                {
                    mutations[c.Mutation] = mutations.GetValueOrDefault(c.Mutation) + 1;
                }

                var next = -1;
                var results = await Task.WhenAll(Enumerable.Range(0, Workers).Select(async _ =>
                {
                    var (a, cl) = (0, 0);
                    RawConnection? connection = null;
                    try
                    {
                        int i;
                        while ((i = Interlocked.Increment(ref next)) < batchCases.Count)
                        {
                            connection ??= await RawConnection.ConnectAsync(broker.BootstrapServers);
                            switch (await SendAsync(connection, batchCases[i]))
                            {
                                case true:
                                    a++;
                                    break;
                                case false:
                                    cl++;
                                    connection.Dispose();
                                    connection = null;
                                    break;
                                default:
                                    // No answer yet (a long poll, a parked join, a frame still owed bytes): move on.
                                    connection.Dispose();
                                    connection = null;
                                    break;
                            }
                        }
                    }
                    finally
                    {
                        connection?.Dispose();
                    }

                    return (a, cl);
                }));
                answered += results.Sum(r => r.a);
                closed += results.Sum(r => r.cl);
                batch++;

                Assert.False(broker.HasExited, $"the broker process died in batch {batch} (seed {seed})");
                using (var fresh = await RawConnection.ConnectAsync(broker.BootstrapServers))
                {
                    Assert.NotNull(await fresh.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest(), 2, TimeSpan.FromSeconds(10)));
                }

                Assert.NotNull(await held.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest(), 2, TimeSpan.FromSeconds(10)));
                var rss = broker.ResidentBytes();
                peakRss = Math.Max(peakRss, rss);
                if (batch % 10 == 0)
                {
                    output.WriteLine($"batch {batch}: {cases} cases, RSS {rss >> 20} MB");
                }

                Assert.True(peakRss < RssBound, $"broker RSS peaked at {peakRss / (1024 * 1024)} MB in batch {batch} (seed {seed})");
            }
        }
        finally
        {
            await sampling.CancelAsync();
            await sampler;
            output.WriteLine($"{cases} cases in {batch} batches, {stopwatch.Elapsed.TotalSeconds:F0} s: {answered} answered, {closed} closed by the broker, the rest unanswered within {AnswerWait.TotalMilliseconds} ms");
            output.WriteLine("mutations: " + string.Join(", ", mutations.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key} {m.Value}")));
            output.WriteLine($"peak broker RSS {peakRss / (1024 * 1024)} MB (bound {RssBound / (1024 * 1024)} MB)");
        }

        Assert.True(peakRss < RssBound);

        // A handler that throws on bad input is a bug even though only that connection closes: each is one failure.
        await Task.Delay(500);
        var errors = broker.ErrorLines;
        foreach (var line in errors.Take(40))
        {
            output.WriteLine(line.Length > 400 ? line[..400] : line);
        }

        output.WriteLine($"{errors.Count(l => l.Contains(" fail: ", StringComparison.Ordinal) || l.Contains(" crit: ", StringComparison.Ordinal))} error log entries");
        Assert.Empty(errors);
    }

    /// <returns>true when answered, false when the broker closed the connection, null when nothing came in time.</returns>
    private static async Task<bool?> SendAsync(RawConnection connection, Case c)
    {
        try
        {
            await connection.SendRawAsync(c.Frame);
            return await connection.ReadFrameAsync(AnswerWait) is not null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Valid request bodies for every advertised API version, filled with non-default values (and with nulls).</summary>
    private static List<Template> Templates(ApiVersionsResponse advertised, int seed)
    {
        var requests = GeneratedCodecTests.GeneratedMessages().Where(type => type.Name.EndsWith("Request", StringComparison.Ordinal))
            .ToDictionary(type => (ApiKey)type.GetProperty("ApiKey")!.GetValue(null)!);
        var templates = new List<Template>();
        foreach (var api in advertised.ApiKeys)
        {
            var type = requests[(ApiKey)api.ApiKey];
            var firstFlexible = (short)type.GetProperty("FirstFlexibleVersion")!.GetValue(null)!;
            for (var version = api.MinVersion; version <= api.MaxVersion; version++)
            {
                foreach (var nulls in new[] { false, true })
                {
                    try
                    {
                        var body = (byte[])WriteBodyMethod.MakeGenericMethod(type).Invoke(null, [seed + version, nulls, version])!;
                        templates.Add(new Template((ApiKey)api.ApiKey, version, version >= firstFlexible, body));
                    }
                    catch (TargetInvocationException)
                    {
                        // A null the version cannot carry: the filled variant covers it.
                    }
                }
            }
        }

        return templates;
    }

    private static byte[] WriteBody<T>(int seed, bool nulls, short version)
        where T : IKafkaMessage<T>, new() =>
        MessageCodec.Write(new MessageFiller(seed, nulls).Fill<T>(), version);

    private static byte[] Header(Template template, int correlationId, short? key = null, short? version = null)
    {
        using var writer = new KafkaWriter();
        writer.WriteInt16(key ?? (short)template.Key);
        writer.WriteInt16(version ?? template.Version);
        writer.WriteInt32(correlationId);
        writer.WriteString("fuzz");
        if (template.Flexible)
        {
            writer.Flexible = true;
            writer.WriteTaggedFields();
        }

        return writer.WrittenMemory.ToArray();
    }

    private static Case Mutate(Template template, Random random, int index)
    {
        var header = Header(template, index);
        var body = template.Body.ToArray();
        string mutation;
        int? lyingSize = null;
        switch (random.Next(10))
        {
            case 0 or 1:
                mutation = "bit-flips";
                for (var i = random.Next(1, 9); i > 0 && body.Length > 0; i--)
                {
                    body[random.Next(body.Length)] ^= (byte)(1 << random.Next(8));
                }

                break;
            case 2:
                mutation = "int32-extreme";
                if (body.Length >= 4)
                {
                    int[] values = [int.MaxValue, -1, int.MinValue, 0x40000000, -2];
                    BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(random.Next(body.Length - 3)), values[random.Next(values.Length)]);
                }

                break;
            case 3:
                mutation = "int16-extreme";
                if (body.Length >= 2)
                {
                    short[] values = [short.MaxValue, -1, short.MinValue, -2];
                    BinaryPrimitives.WriteInt16BigEndian(body.AsSpan(random.Next(body.Length - 1)), values[random.Next(values.Length)]);
                }

                break;
            case 4:
                mutation = "varint-huge";
                if (body.Length >= 5)
                {
                    byte[][] values = [[0xFF, 0xFF, 0xFF, 0xFF, 0x0F], [0xFE, 0xFF, 0xFF, 0xFF, 0x07], [0x80, 0x80, 0x80, 0x80, 0x08], [0x00]];
                    var value = values[random.Next(values.Length)];
                    value.CopyTo(body.AsSpan(random.Next(body.Length - 4)));
                }

                break;
            case 5:
                mutation = "truncated";
                body = body[..random.Next(body.Length + 1)];
                break;
            case 6:
                mutation = "tagged-fields";
                var at = random.Next(body.Length + 1);
                var tags = new List<byte> { (byte)random.Next(1, 4) };
                for (var i = tags[0]; i > 0; i--)
                {
                    tags.Add((byte)random.Next(0, 128));
                    var size = random.Next(0, 20);
                    tags.Add((byte)(random.Next(8) == 0 ? 0x7F : size));
                    tags.AddRange(Enumerable.Range(0, size).Select(_ => (byte)random.Next(256)));
                }

                body = [.. body[..at], .. tags, .. body[at..]];
                break;
            case 7:
                mutation = "garbage-appended";
                body = [.. body, .. Enumerable.Range(0, random.Next(1, 64)).Select(_ => (byte)random.Next(256))];
                break;
            case 8:
                mutation = "header";
                header = random.Next(3) switch
                {
                    0 => Header(template, index, version: (short)random.Next(-5, 40)),
                    1 => Header(template, index, key: (short)random.Next(-5, 100)),
                    _ => [.. header[..^random.Next(1, Math.Min(header.Length, 6))]],
                };
                break;
            default:
                mutation = "size-prefix-lies";
                lyingSize = random.Next(3) switch
                {
                    0 => header.Length + body.Length + random.Next(1, 1000),
                    1 => random.Next(1_000_000, 100 * 1024 * 1024),
                    _ => random.Next(-10, 8),
                };
                break;
        }

        var frame = new byte[4 + header.Length + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, lyingSize ?? header.Length + body.Length);
        header.CopyTo(frame, 4);
        body.CopyTo(frame, 4 + header.Length);
        return new Case(index, mutation, template, frame);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
