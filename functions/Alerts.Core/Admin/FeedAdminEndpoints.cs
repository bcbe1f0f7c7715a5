using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Alerts.Core.Feeds;
using Alerts.Core.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Admin;

/// <summary>What an admin sends to add a feed.</summary>
public sealed record AddFeedRequest(string? Url, string? Title = null, string? Tags = null);

/// <summary><c>/api/admin/feeds</c>: list (with health), add, delete.</summary>
public sealed class FeedAdminEndpoints(
    FeedStore feeds,
    AlertsStorage storage,
    IOptions<AdminOptions> admin,
    IOptions<FeedFetchOptions> fetchOptions,
    TimeProvider time,
    ILogger<FeedAdminEndpoints> logger)
{
    private static readonly JsonSerializerOptions Json = QueueMessages.Json;

    public async Task<IResult> ListAsync(HttpRequest request)
    {
        if (Unauthorized(request) is { } refused)
            return refused;
        var list = new List<Feed>();
        await foreach (var feed in feeds.ListAsync(request.HttpContext.RequestAborted))
            list.Add(feed);
        return Results.Json(list.OrderBy(f => f.Url, StringComparer.Ordinal), Json);
    }

    /// <summary>Stores the feed, due at once, and queues its first fetch so that it shows health within seconds.</summary>
    public async Task<IResult> AddAsync(HttpRequest request)
    {
        if (Unauthorized(request) is { } refused)
            return refused;
        AddFeedRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<AddFeedRequest>(request.Body, Json, request.HttpContext.RequestAborted);
        }
        catch (JsonException ex)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [$"The body is not valid JSON: {ex.Message}"] });
        }
        if (string.IsNullOrWhiteSpace(body?.Url))
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["url"] = ["A feed URL is required."] });

        Feed feed;
        try
        {
            feed = Feed.Create(body.Url, time.GetUtcNow(), fetchOptions.Value.DefaultPollInterval, body.Title?.Trim() ?? "", body.Tags?.Trim() ?? "");
        }
        catch (ArgumentException)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["url"] = ["The URL must be an absolute http or https URL."] });
        }

        if (!await feeds.TryAddAsync(feed, request.HttpContext.RequestAborted))
            return Results.Problem(title: "This feed is already registered.", detail: $"Feed {feed.Id} has the URL {feed.Url}.",
                statusCode: StatusCodes.Status409Conflict);
        await storage.Queue(QueueNames.FeedFetch).SendAsync(new FeedFetchMessage(feed.Id), request.HttpContext.RequestAborted);
        logger.LogInformation("Feed {FeedId} added for {Url}", feed.Id, feed.Url);
        return Results.Json(feed, Json, statusCode: StatusCodes.Status201Created);
    }

    public async Task<IResult> DeleteAsync(HttpRequest request, string id)
    {
        if (Unauthorized(request) is { } refused)
            return refused;
        if (!await feeds.DeleteAsync(id, request.HttpContext.RequestAborted))
            return Results.Problem(title: "No such feed.", statusCode: StatusCodes.Status404NotFound);
        logger.LogInformation("Feed {FeedId} deleted", id);
        return Results.NoContent();
    }

    /// <summary>
    /// With <c>Admin__ApiKey</c> set (the local host), the key must come as <c>x-functions-key</c> or <c>?code=</c>.
    /// In Azure the setting is empty and the Functions host has already checked its admin key.
    /// </summary>
    public IResult? Unauthorized(HttpRequest request)
    {
        var expected = admin.Value.ApiKey;
        if (string.IsNullOrEmpty(expected))
            return null;
        string given = request.Headers["x-functions-key"].FirstOrDefault() ?? request.Query["code"].FirstOrDefault() ?? "";
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected))
            ? null
            : Results.Problem(title: "An admin key is required.", statusCode: StatusCodes.Status401Unauthorized);
    }
}
