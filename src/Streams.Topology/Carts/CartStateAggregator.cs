using Avro;
using Avro.Specific;
using Streams.Contracts;
using Streams.Contracts.Carts;

namespace Streams.Topology.Carts;

/// <summary>Folds one cart event into the cart's state. Pure: the topology and its tests share it.</summary>
public static class CartStateAggregator
{
    /// <summary>The state before a cart's first event.</summary>
    public static CartState Empty() => new() { cartId = string.Empty, customerId = string.Empty, lines = [], checkedOut = false, updatedAt = DateTime.UnixEpoch };

    public static CartState Apply(string cartId, ISpecificRecord cartEvent, CartState state)
    {
        var lines = state.lines.Select(Copy).ToList();
        var next = new CartState { cartId = cartId, customerId = state.customerId, lines = lines, checkedOut = state.checkedOut, updatedAt = state.updatedAt };
        switch (cartEvent)
        {
            case ProductAddedToCart added:
                next.customerId = added.customerId;
                next.updatedAt = added.occurredAt;
                var existing = lines.FirstOrDefault(l => l.productId == added.productId);
                if (existing is null)
                {
                    lines.Add(new CartLine { productId = added.productId, quantity = added.quantity, unitPrice = added.unitPrice, currency = added.currency });
                }
                else
                {
                    existing.quantity += added.quantity;
                    existing.unitPrice = added.unitPrice; // the latest price the customer saw
                }

                break;
            case ProductRemovedFromCart removed:
                next.customerId = removed.customerId;
                next.updatedAt = removed.occurredAt;
                var line = lines.FirstOrDefault(l => l.productId == removed.productId);
                if (line is not null)
                {
                    line.quantity -= removed.quantity;
                    if (line.quantity <= 0)
                    {
                        lines.Remove(line);
                    }
                }

                break;
            case CartCheckedOut checkedOut:
                next.customerId = checkedOut.customerId;
                next.updatedAt = checkedOut.occurredAt;
                next.checkedOut = true;
                break;
        }

        return next;
    }

    /// <summary>The order a checkout places, or null when the cart is empty (nothing to order).</summary>
    public static OrderPlaced? PlaceOrder(CartCheckedOut checkout, CartState state)
    {
        if (state.lines.Count == 0)
        {
            return null;
        }

        // A cart is priced in one currency: the first line's. Lines in another currency are not summed into it.
        var currency = state.lines[0].currency;
        var total = state.lines.Where(l => l.currency == currency).Sum(l => (decimal)l.unitPrice * l.quantity);
        return new OrderPlaced
        {
            eventId = Guid.NewGuid().ToString(),
            occurredAt = checkout.occurredAt,
            orderId = checkout.eventId,
            cartId = checkout.cartId,
            customerId = checkout.customerId,
            lines = [.. state.lines.Select(Copy)],
            total = Money.Of(total),
            currency = currency,
        };
    }

    private static CartLine Copy(CartLine line) =>
        new() { productId = line.productId, quantity = line.quantity, unitPrice = line.unitPrice, currency = line.currency };
}
