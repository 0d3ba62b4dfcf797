using Avro;
using Avro.Specific;
using Streams.Contracts;
using Streams.Contracts.Carts;
using Streams.Messaging.Events;

namespace Streams.Topology.Carts;

/// <summary>Folds one cart event into the cart's state. Pure: the topology and its tests share it.</summary>
public static class CartStateAggregator
{
    /// <summary>The state before a cart's first event.</summary>
    public static CartState Empty() => new() { cartId = string.Empty, customerId = string.Empty, lines = [], checkedOut = false, updatedAt = DateTime.UnixEpoch };

    public static CartState Apply(string cartId, ISpecificRecord cartEvent, CartState state)
    {
        var lines = state.lines.Select(Copy).ToList();
        var next = new CartState
        {
            cartId = cartId, customerId = state.customerId, lines = lines, checkedOut = state.checkedOut, updatedAt = state.updatedAt,
            lastEventId = ((Avro.RecordSchema)cartEvent.Schema).TryGetField("eventId", out var id) ? cartEvent.Get(id.Pos) as string : null,
            checkoutEventId = state.checkoutEventId,
        };
        if (state.checkedOut)
        {
            // A checked-out cart is closed: later events change nothing (and must not place the order again).
            return next;
        }

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
                next.checkoutEventId = checkedOut.eventId;
                break;
        }

        return next;
    }

    /// <summary>True for the one state update a checkout produced (not for later events on the closed cart).</summary>
    public static bool IsCheckout(CartState state) => state.checkoutEventId is not null && state.lastEventId == state.checkoutEventId;

    /// <summary>
    /// The order a checkout places: the cart's state at the moment of checkout. Null when the cart is empty (nothing
    /// to order). The order id is the checkout's event id and the order's event id is named after it
    /// (<see cref="EventIds.Derived"/>), so reprocessing the checkout yields the same order, event id included.
    /// </summary>
    public static OrderPlaced? PlaceOrder(CartState state)
    {
        if (!IsCheckout(state) || state.lines.Count == 0)
        {
            return null;
        }

        // A cart is priced in one currency: the first line's. Lines in another currency are not summed into it.
        var currency = state.lines[0].currency;
        var total = state.lines.Where(l => l.currency == currency).Sum(l => (decimal)l.unitPrice * l.quantity);
        return new OrderPlaced
        {
            eventId = EventIds.Derived(state.checkoutEventId!, OrderPlaced._SCHEMA.Fullname),
            occurredAt = state.updatedAt,
            orderId = state.checkoutEventId!,
            cartId = state.cartId,
            customerId = state.customerId,
            lines = [.. state.lines.Select(Copy)],
            total = Money.Of(total),
            currency = currency,
        };
    }

    private static CartLine Copy(CartLine line) =>
        new() { productId = line.productId, quantity = line.quantity, unitPrice = line.unitPrice, currency = line.currency };
}
