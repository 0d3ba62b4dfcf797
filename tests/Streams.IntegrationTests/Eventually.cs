namespace Streams.IntegrationTests;

internal static class Eventually
{
    public static Task<T> GetAsync<T>(Func<T?> probe, string what, TimeSpan? timeout = null)
        where T : class => GetAsync(probe, () => what, timeout);

    public static async Task<T> GetAsync<T>(Func<T?> probe, Func<string> what, TimeSpan? timeout = null)
        where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what()}");
            await Task.Delay(100);
        }
    }

    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        await GetAsync(() => condition() ? "ok" : null, what, timeout);

    /// <summary>As above, with a description computed at the timeout (to say how far it got).</summary>
    public static async Task TrueAsync(Func<bool> condition, Func<string> what, TimeSpan? timeout = null) =>
        await GetAsync(() => condition() ? "ok" : null, what, timeout);
}
