using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Streams.Contracts;
using Streams.Contracts.Carts;
using Streams.Contracts.Logins;
using Streams.Messaging.Publishing;
using Streams.Worker.Observability;

namespace Streams.Worker.Simulation;

/// <summary>
/// Plays a small company: employees logging in (a few fail, sometimes in bursts that should raise alerts) and
/// shoppers adding and removing products and checking out, at a steady rate, through the publisher API any other
/// application would use.
/// </summary>
public sealed partial class TrafficSimulator(StreamsOptions options, EventPublisher publisher, WorkerCounters counters, ILogger<TrafficSimulator> logger) : BackgroundService
{
    private static readonly string[] Applications = ["payroll", "crm", "wiki", "git", "mail"];
    private static readonly (string Id, decimal Price)[] Products = [("book", 12.99m), ("pen", 1.10m), ("lamp", 39.90m), ("mug", 7.50m), ("desk", 249.00m), ("chair", 129.00m)];

    private readonly Random _random = new(42);
    private readonly Dictionary<string, (string Customer, HashSet<string> Products)> _openCarts = [];
    private int _nextCart;

    // A cart id is used once, ever: a checked-out cart stays checked out, so every run opens carts of its own (a
    // counter restarting at 1 would send new events to the carts of the previous run).
    private readonly string _run = Guid.NewGuid().ToString("N")[..6];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Simulator.Enabled || options.Simulator.EventsPerSecond <= 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / options.Simulator.EventsPerSecond));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                foreach (var @event in NextEvents())
                {
                    var delivery = await publisher.PublishAsync(@event, stoppingToken).ConfigureAwait(false);
                    counters.Published(delivery.Topic);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Confluent.Kafka.KafkaException ex)
        {
            LogPublishFailed(logger, ex.Message);
            throw;
        }
    }

    private IEnumerable<Avro.Specific.ISpecificRecord> NextEvents()
    {
        var now = DateTime.UtcNow;
        if (_random.NextDouble() < 0.4)
        {
            // Now and then someone hammers a password: a burst of failures that login monitoring should catch.
            if (_random.NextDouble() < 0.01)
            {
                var suspect = $"employee-{_random.Next(1, 40)}";
                return Enumerable.Range(0, options.LoginMonitoring.FailureThreshold).Select(_ => (Avro.Specific.ISpecificRecord)Login(suspect, failed: true, now));
            }

            var employee = $"employee-{_random.Next(1, 40)}";
            return [Login(employee, _random.NextDouble() < options.Simulator.LoginFailureRate, now)];
        }

        return [CartEvent(now)];
    }

    private EmployeeLoggedIn Login(string employee, bool failed, DateTime now) => new()
    {
        eventId = Guid.NewGuid().ToString(),
        occurredAt = now,
        employeeId = employee,
        application = Applications[_random.Next(Applications.Length)],
        sourceAddress = $"10.0.{_random.Next(0, 4)}.{_random.Next(2, 250)}",
        outcome = failed ? LoginOutcome.Failed : LoginOutcome.Succeeded,
        failureReason = failed ? (_random.NextDouble() < 0.8 ? "wrong password" : "account locked") : null,
    };

    private Avro.Specific.ISpecificRecord CartEvent(DateTime now)
    {
        if (_openCarts.Count < 5 || _random.NextDouble() < 0.1)
        {
            var cartId = $"cart-{_run}-{++_nextCart}";
            _openCarts[cartId] = ($"customer-{_random.Next(1, 200)}", []);
        }

        var (cart, (customer, products)) = _openCarts.ElementAt(_random.Next(_openCarts.Count));
        var roll = _random.NextDouble();
        if (products.Count > 0 && roll < 0.15)
        {
            _openCarts.Remove(cart);
            return new CartCheckedOut { eventId = Guid.NewGuid().ToString(), occurredAt = now, cartId = cart, customerId = customer };
        }

        if (products.Count > 0 && roll < 0.3)
        {
            var removed = products.ElementAt(_random.Next(products.Count));
            products.Remove(removed);
            return new ProductRemovedFromCart { eventId = Guid.NewGuid().ToString(), occurredAt = now, cartId = cart, customerId = customer, productId = removed, quantity = 1 };
        }

        var (product, price) = Products[_random.Next(Products.Length)];
        products.Add(product);
        return new ProductAddedToCart
        {
            eventId = Guid.NewGuid().ToString(), occurredAt = now, cartId = cart, customerId = customer,
            productId = product, quantity = _random.Next(1, 4), unitPrice = Money.Of(price), currency = "EUR",
        };
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The simulator could not publish: {Reason}")]
    private static partial void LogPublishFailed(ILogger logger, string reason);
}
