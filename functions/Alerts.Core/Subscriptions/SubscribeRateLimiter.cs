using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Subscriptions;

/// <summary>Abuse limits on subscribing: confirmation emails are what a list-bomber would use us to send.</summary>
public sealed class SubscribeLimitOptions
{
    public const string Section = "SubscribeLimits";

    /// <summary>Subscribe requests accepted per client IP per hour; more get 429.</summary>
    public int PerClientPerHour { get; set; } = 20;

    /// <summary>Confirmation emails sent to one address per day; more are dropped silently, so the response reveals nothing.</summary>
    public int PerAddressPerDay { get; set; } = 5;

    /// <summary>Preview requests per client IP per minute: each one scans a week of articles. Live preview sends about one per pause in typing.</summary>
    public int PreviewsPerClientPerMinute { get; set; } = 60;
}

/// <summary>
/// Fixed-window counters in memory. Per instance: with several instances the effective limit is a multiple of
/// the setting, which still bounds a flood; a shared store would cost a table round trip on every request.
/// </summary>
public sealed class SubscribeRateLimiter(IOptions<SubscribeLimitOptions> options, TimeProvider time, ILogger<SubscribeRateLimiter> logger)
{
    private const int MaxTrackedKeys = 100_000;
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    private sealed class Window(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; } = start;
        public int Count;
    }

    /// <summary>Null when the client may subscribe now; otherwise how long until it may.</summary>
    public TimeSpan? CheckClient(HttpRequest request)
    {
        var client = ClientAddress(request);
        var retryAfter = Take("ip:" + client, options.Value.PerClientPerHour, TimeSpan.FromHours(1));
        if (retryAfter is not null)
            logger.LogWarning("Subscribe rate limit reached for client {Client}", client);
        return retryAfter;
    }

    /// <summary>Null when the client may preview now; otherwise how long until it may.</summary>
    public TimeSpan? CheckPreview(HttpRequest request) =>
        Take("preview:" + ClientAddress(request), options.Value.PreviewsPerClientPerMinute, TimeSpan.FromMinutes(1));

    /// <summary>False when the address has had its confirmation emails for today.</summary>
    public bool AllowAddress(string email) =>
        Take("email:" + EmailAddress.Normalize(email), options.Value.PerAddressPerDay, TimeSpan.FromDays(1)) is null;

    private TimeSpan? Take(string key, int limit, TimeSpan length)
    {
        var now = time.GetUtcNow();
        if (_windows.Count > MaxTrackedKeys)
            foreach (var (k, w) in _windows)
                if (now - w.Start >= length) _windows.TryRemove(k, out _);
        var window = _windows.AddOrUpdate(key, _ => new Window(now), (_, w) => now - w.Start >= length ? new Window(now) : w);
        if (Interlocked.Increment(ref window.Count) <= limit)
            return null;
        return window.Start + length - now;
    }

    /// <summary>
    /// The caller's IP. Behind Azure's front end the connection is the platform's, and the client is the last
    /// X-Forwarded-For entry (the one the front end appended; earlier entries are whatever the client sent).
    /// </summary>
    public static string ClientAddress(HttpRequest request)
    {
        var forwarded = request.Headers["X-Forwarded-For"].ToString();
        if (!string.IsNullOrWhiteSpace(forwarded))
        {
            var last = forwarded.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
            if (!string.IsNullOrEmpty(last))
                return last;
        }
        return request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
    }
}
