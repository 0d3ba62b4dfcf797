using Streams.Contracts;
using Streams.Contracts.Carts;

namespace Streams.IntegrationTests;

internal static class TestEvents
{
    public static ProductAddedToCart Added(string cart, string product, int quantity, decimal price) => new()
    {
        eventId = Guid.NewGuid().ToString(), occurredAt = DateTime.UtcNow, cartId = cart, customerId = "customer-" + cart,
        productId = product, quantity = quantity, unitPrice = Money.Of(price), currency = "EUR",
    };

    public static CartCheckedOut CheckedOut(string cart) => new()
    {
        eventId = "checkout-" + cart, occurredAt = DateTime.UtcNow, cartId = cart, customerId = "customer-" + cart,
    };

    public static string NewCart() => "cart-" + Guid.NewGuid().ToString("N")[..10];
}
