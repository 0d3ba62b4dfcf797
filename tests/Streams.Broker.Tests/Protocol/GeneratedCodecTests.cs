using System.Reflection;
using Streams.Broker.Apis;
using Streams.Broker.Protocol;

namespace Streams.Broker.Tests.Protocol;

/// <summary>
/// Every generated request and response, at every version served: written with every field set to a non-default
/// value, read back, written again to the same bytes, with nothing left over. A field read in a version it is not
/// written in (or the other way round) shifts everything after it, so this catches version mistakes anywhere.
/// </summary>
public class GeneratedCodecTests
{
    private static readonly MethodInfo RoundTripMethod = typeof(GeneratedCodecTests).GetMethod(nameof(RoundTrip), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static TheoryData<string, short> MessagesAndVersions()
    {
        var data = new TheoryData<string, short>();
        foreach (var type in GeneratedMessages())
        {
            var lowest = (short)type.GetProperty("LowestVersion")!.GetValue(null)!;
            var highest = (short)type.GetProperty("HighestVersion")!.GetValue(null)!;
            for (var version = lowest; version <= highest; version++)
            {
                data.Add(type.Name, version);
            }
        }

        return data;
    }

    internal static IEnumerable<Type> GeneratedMessages() => typeof(KafkaReader).Assembly.GetTypes()
        .Where(t => t.Namespace == "Streams.Broker.Protocol.Messages" && !t.IsNested)
        .Where(t => t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IKafkaMessage<>)))
        .OrderBy(t => t.Name, StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(MessagesAndVersions))]
    public void Every_message_round_trips_at_every_version(string message, short version)
    {
        var type = GeneratedMessages().Single(t => t.Name == message);
        try
        {
            RoundTripMethod.MakeGenericMethod(type).Invoke(null, [version, false]);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
        }
    }

    [Theory]
    [MemberData(nameof(MessagesAndVersions))]
    public void Nulls_round_trip_where_the_version_allows_them_and_are_refused_where_it_does_not(string message, short version)
    {
        var type = GeneratedMessages().Single(t => t.Name == message);
        try
        {
            RoundTripMethod.MakeGenericMethod(type).Invoke(null, [version, true]);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is ProtocolException)
        {
            // Some field is null where this version cannot encode a null: refusing is right.
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
        }
    }

    [Fact]
    public void Nulls_survive_a_round_trip_in_versions_that_allow_them()
    {
        RoundTrip<Broker.Protocol.Messages.OffsetFetchRequest>(2, nulls: true);
        RoundTrip<Broker.Protocol.Messages.MetadataResponse>(12, nulls: true);
        RoundTrip<Broker.Protocol.Messages.ProduceRequest>(8, nulls: true);
        RoundTrip<Broker.Protocol.Messages.DescribeConfigsResponse>(1, nulls: true);
    }

    [Fact]
    public void Every_api_has_a_request_and_a_response_with_the_same_key_and_versions()
    {
        var byKey = GeneratedMessages().GroupBy(t => (ApiKey)t.GetProperty("ApiKey")!.GetValue(null)!).ToList();
        Assert.All(byKey, api =>
        {
            Assert.Equal(2, api.Count());
            Assert.Single(api.Select(t => (t.GetProperty("LowestVersion")!.GetValue(null), t.GetProperty("HighestVersion")!.GetValue(null), t.GetProperty("FirstFlexibleVersion")!.GetValue(null))).Distinct());
        });
    }

    [Fact]
    public void Every_definition_has_a_registered_handler_serving_exactly_its_versions()
    {
        var handlers = new ApiRegistry().Handlers.ToDictionary(h => h.Key);
        var requests = GeneratedMessages().Where(t => t.Name.EndsWith("Request", StringComparison.Ordinal)).ToList();
        Assert.Equal(requests.Count, handlers.Count);
        foreach (var request in requests)
        {
            var handler = handlers[(ApiKey)request.GetProperty("ApiKey")!.GetValue(null)!];
            Assert.Equal(request.GetProperty("LowestVersion")!.GetValue(null), handler.MinVersion);
            Assert.Equal(request.GetProperty("HighestVersion")!.GetValue(null), handler.MaxVersion);
            Assert.Equal(request.GetProperty("FirstFlexibleVersion")!.GetValue(null), handler.FirstFlexibleVersion);
        }
    }

    [Fact]
    public void Every_handler_pairs_the_request_and_response_of_its_own_api()
    {
        foreach (var handler in new ApiRegistry().Handlers)
        {
            var generic = handler.GetType().BaseType!;
            Assert.Equal(typeof(ApiHandler<,>), generic.GetGenericTypeDefinition());
            var (request, response) = (generic.GetGenericArguments()[0], generic.GetGenericArguments()[1]);
            Assert.Equal(handler.Key, (ApiKey)request.GetProperty("ApiKey")!.GetValue(null)!);
            Assert.Equal(handler.Key, (ApiKey)response.GetProperty("ApiKey")!.GetValue(null)!);
            Assert.Equal(handler.Key + "Request", request.Name);
            Assert.Equal(handler.Key + "Response", response.Name);
        }
    }

    private static void RoundTrip<T>(short version, bool nulls)
        where T : IKafkaMessage<T>, new()
    {
        var original = new MessageFiller(seed: version * 100, nulls).Fill<T>();
        var bytes = MessageCodec.Write(original, version);
        var read = MessageCodec.Read<T>(bytes, version);
        Assert.Equal(bytes, MessageCodec.Write(read, version));
    }
}
