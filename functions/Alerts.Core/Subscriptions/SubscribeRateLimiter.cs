using System.Security.Cryptography;
using System.Text;
using Alerts.Core.Storage;
using Azure;
using Azure.Data.Tables;
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

    /// <summary>
    /// Emails sent on request to one address per day (confirmations, delete confirmations, manage links); more are
    /// dropped silently, so the response reveals nothing. Also the "email me a link to my alerts" requests accepted per
    /// address per day (counted for every address alike, so their 429 reveals nothing either).
    /// </summary>
    public int PerAddressPerDay { get; set; } = 5;

    /// <summary>Preview requests per client IP per minute: each one scans a week of articles. Live preview sends about one per pause in typing.</summary>
    public int PreviewsPerClientPerMinute { get; set; } = 60;

}

/// <summary>
/// Where client addresses come from. Set by the Functions app in code, never from configuration: there the
/// connection comes from the platform's front end, which appends the client's address as the last
/// <c>X-Forwarded-For</c> entry. The local host leaves it off and uses the connection's remote address.
/// </summary>
public sealed class FrontEndOptions
{
    public bool BehindPlatformFrontEnd { get; set; }
}

/// <summary>
/// Fixed-window counters in Table Storage (table <c>RateLimits</c>), shared by every instance, so N instances do
/// not allow N times the limit, and nothing is held in memory. One row per key and window; an increment is a read
/// and an ETag-conditional write, retried when another instance wrote first. Keys are HMACs of the client network or
/// the normalised address, so the table holds no addresses.
/// </summary>
public sealed class SubscribeRateLimiter(
    AlertsStorage storage,
    IOptions<SubscribeLimitOptions> options,
    IOptions<FrontEndOptions> frontEnd,
    IOptions<TokenOptions> tokens,
    TimeProvider time,
    ILogger<SubscribeRateLimiter> logger)
{
    private const int MaxAttempts = 10;
    private readonly byte[] _keySalt = SHA256.HashData(Encoding.UTF8.GetBytes("rate-limit|" + tokens.Value.SigningKey));

    private TableClient Table => storage.Table(TableNames.RateLimits);

    /// <summary>Null when the client may subscribe now; otherwise how long until it may.</summary>
    public async Task<TimeSpan?> CheckClientAsync(HttpRequest request, CancellationToken cancellationToken = default)
    {
        var client = ClientAddress(request, frontEnd.Value);
        var retryAfter = await TakeAsync("ip:" + client, options.Value.PerClientPerHour, TimeSpan.FromHours(1), cancellationToken);
        if (retryAfter is not null)
            logger.LogWarning("Subscribe rate limit reached for client {Client}", client);
        return retryAfter;
    }

    /// <summary>Null when the client may preview now; otherwise how long until it may.</summary>
    public Task<TimeSpan?> CheckPreviewAsync(HttpRequest request, CancellationToken cancellationToken = default) =>
        TakeAsync("preview:" + ClientAddress(request, frontEnd.Value), options.Value.PreviewsPerClientPerMinute, TimeSpan.FromMinutes(1), cancellationToken);

    /// <summary>
    /// False when the address has had today's emails sent on request. Counted per mailbox as a provider delivers:
    /// <c>Victim+1@Example.test</c> and <c>victim@example.test</c> share one count.
    /// </summary>
    public async Task<bool> AllowAddressAsync(string email, CancellationToken cancellationToken = default) =>
        await TakeAsync("email:" + EmailAddress.Mailbox(email), options.Value.PerAddressPerDay, TimeSpan.FromDays(1), cancellationToken) is null;

    /// <summary>
    /// Null when "email me a link to my alerts" may be asked for this address now; otherwise how long until it may.
    /// Counted on every valid request, whether or not the address has alerts, so a refusal reveals nothing about it.
    /// </summary>
    public Task<TimeSpan?> CheckManageLinkAddressAsync(string email, CancellationToken cancellationToken = default) =>
        TakeAsync("manage-link:" + EmailAddress.Mailbox(email), options.Value.PerAddressPerDay, TimeSpan.FromDays(1), cancellationToken);

    private async Task<TimeSpan?> TakeAsync(string key, int limit, TimeSpan length, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var windowStart = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds() / (long)length.TotalSeconds * (long)length.TotalSeconds);
        var retryAfter = windowStart + length - now;
        var partition = Convert.ToHexStringLower(HMACSHA256.HashData(_keySalt, Encoding.UTF8.GetBytes(key)))[..40];
        var row = windowStart.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var current = await Table.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: cancellationToken);
            try
            {
                if (!current.HasValue)
                {
                    if (limit < 1)
                        return retryAfter;
                    await Table.AddEntityAsync(new TableEntity(partition, row) { ["Count"] = 1, ["ExpiresAt"] = windowStart + length }, cancellationToken);
                    // The key's previous window is over: drop its row, so a key keeps one row however long it is used.
                    await DeleteIfExistsAsync(partition, (windowStart - length).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
                    return null;
                }
                var count = current.Value!.GetInt32("Count") ?? 0;
                if (count >= limit)
                    return retryAfter;
                var next = new TableEntity(partition, row) { ["Count"] = count + 1, ["ExpiresAt"] = windowStart + length };
                await Table.UpdateEntityAsync(next, current.Value.ETag, TableUpdateMode.Replace, cancellationToken);
                return null;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Another instance counted in between: read again and count on top of it.
            }
        }
        // Sustained contention on one key is a flood by definition: refuse rather than count loosely.
        logger.LogWarning("Rate limit counter for one key stayed contended after {Attempts} attempts; refusing", MaxAttempts);
        return retryAfter;
    }

    private async Task DeleteIfExistsAsync(string partition, string row, CancellationToken cancellationToken)
    {
        try
        {
            await Table.DeleteEntityAsync(partition, row, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Never existed, or another instance removed it: either way it is gone.
        }
    }

    /// <summary>
    /// The caller's network: the connection's remote address, never a header the client can set. Behind the
    /// Functions front end (<see cref="FrontEndOptions.BehindPlatformFrontEnd"/>) the connection is the
    /// platform's and the client is the last <c>X-Forwarded-For</c> entry, the one the front end appended (earlier
    /// entries are whatever the client sent). IPv6 clients are counted per /64, the block one subscriber holds.
    /// </summary>
    public static string ClientAddress(HttpRequest request, FrontEndOptions options)
    {
        System.Net.IPAddress? address = request.HttpContext.Connection.RemoteIpAddress;
        if (options.BehindPlatformFrontEnd
            && request.Headers["X-Forwarded-For"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() is { } last
            && ParseAddress(last) is { } forwarded)
            address = forwarded;
        if (address is null)
            return "unknown";
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new System.Net.IPAddress(bytes) + "/64";
        }
        return address.ToString();
    }

    /// <summary>"203.0.113.7", "203.0.113.7:51234", "[2001:db8::1]:443" or "2001:db8::1".</summary>
    private static System.Net.IPAddress? ParseAddress(string text)
    {
        if (System.Net.IPAddress.TryParse(text, out var plain))
            return plain;
        return System.Net.IPEndPoint.TryParse(text, out var endPoint) ? endPoint.Address : null;
    }
}
