using Confluent.SchemaRegistry;
using Microsoft.Extensions.DependencyInjection;
using Streams.Contracts.Topics;
using Streams.Messaging.Publishing;
using static Streams.IntegrationTests.TestEvents;

namespace Streams.IntegrationTests;

[Collection(KafkaCollection.Name)]
public sealed class EventPublisherRegistrationTests(KafkaFixture kafka)
{
    [Fact]
    public async Task An_application_gets_one_publisher_from_dependency_injection_and_publishes_with_it()
    {
        var services = new ServiceCollection().AddEventPublisher(o =>
        {
            o.BootstrapServers = kafka.BootstrapServers;
            o.SchemaRegistryUrl = kafka.SchemaRegistryUrl;
        });
        await using var provider = services.BuildServiceProvider();

        var publisher = provider.GetRequiredService<EventPublisher>();
        var delivery = await publisher.PublishAsync(Added(NewCart(), "mug", 1, 7.50m));

        Assert.Same(publisher, provider.GetRequiredService<EventPublisher>());
        Assert.Equal(TopicCatalog.CartEvents.Name, delivery.Topic);
        Assert.True(delivery.Offset >= 0);
    }

    [Fact]
    public void A_registry_client_the_application_registered_itself_is_the_one_the_publisher_uses()
    {
        using var own = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = kafka.SchemaRegistryUrl });
        var services = new ServiceCollection()
            .AddSingleton<ISchemaRegistryClient>(own)
            .AddEventPublisher(o => o.BootstrapServers = kafka.BootstrapServers);

        using var provider = services.BuildServiceProvider();

        Assert.Same(own, provider.GetRequiredService<ISchemaRegistryClient>());
        Assert.Single(services, d => d.ServiceType == typeof(ISchemaRegistryClient));
    }
}
