namespace Streams.Consumers.Notifications;

/// <summary>
/// What one client asked for: <c>?type=order</c> (or <c>alert</c>; comma-separated or repeated for several) and
/// <c>?key=cart-42</c> (exact; a trailing <c>*</c> matches a prefix). No filter: everything.
/// </summary>
public sealed record NotificationFilter(IReadOnlySet<string> Types, string? Key)
{
    /// <summary>Everything.</summary>
    public static NotificationFilter All { get; } = new(new HashSet<string>(StringComparer.Ordinal), null);

    /// <summary>The filter of the query string values given.</summary>
    public static NotificationFilter From(IEnumerable<string?> types, string? key) =>
        new(types.SelectMany(t => (t ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToHashSet(StringComparer.Ordinal),
            string.IsNullOrEmpty(key) ? null : key);

    /// <summary>Whether the client wants <paramref name="notification"/>.</summary>
    public bool Matches(Notification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (Types.Count > 0 && !Types.Contains(notification.Kind))
        {
            return false;
        }

        return Key switch
        {
            null => true,
            [.. var prefix, '*'] => notification.Key?.StartsWith(prefix, StringComparison.Ordinal) == true,
            _ => string.Equals(notification.Key, Key, StringComparison.Ordinal),
        };
    }
}
