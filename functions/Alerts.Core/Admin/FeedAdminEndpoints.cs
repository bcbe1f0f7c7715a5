using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Xml;
using Alerts.Core.Feeds;
using Alerts.Core.Storage;
using Alerts.Core.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Admin;

/// <summary>What an admin sends to add or test a feed: a feed URL or a web page URL that links to one.</summary>
public sealed record AddFeedRequest(
    string? Url, string? Title = null, string? Tags = null, ItemIdentity Identity = ItemIdentity.Auto, FullTextMode FullText = FullTextMode.Off);

/// <summary>The admin JSON API under <c>/api/admin</c>; each host's AdminKey check runs before every action.</summary>
public sealed class FeedAdminEndpoints(
    FeedAdminService service,
    FeedStats stats,
    FeedActivity activity,
    IOptions<SiteOptions> site,
    TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = QueueMessages.Json;

    /// <summary>GET: every feed with its health; <c>?status=errored</c> (or active, paused, disabled) and <c>?tag=</c> filter.</summary>
    public async Task<IResult> ListAsync(HttpRequest request)
    {
        var list = await service.ListAsync(request.HttpContext.RequestAborted);
        string? status = request.Query["status"], tag = request.Query["tag"];
        var shown = list.Where(f => FeedHealth.Matches(f, status, tag)).OrderBy(f => f.Url, StringComparer.Ordinal).ToList();
        var rates = await activity.ItemsPerDayAsync(shown, request.HttpContext.RequestAborted);
        return Results.Json(shown.Select(f => FeedHealth.Of(f, rates.GetValueOrDefault(f.Id))), Json);
    }

    public async Task<IResult> GetAsync(HttpRequest request, string id)
    {
        var feed = await service.GetAsync(id, request.HttpContext.RequestAborted);
        return feed is null ? NotFound() : Results.Json(await HealthAsync(feed, request), Json);
    }

    /// <summary>POST: adds by feed URL or page URL; 201 added, 409 duplicate, 422 not a feed or refused, 503 host busy (with Retry-After).</summary>
    public async Task<IResult> AddAsync(HttpRequest request)
    {
        var (body, url, invalid) = await ReadFeedUrlAsync(request);
        if (invalid is not null)
            return invalid;
        var result = await service.AddAsync(url, body.Title, body.Tags, body.Identity, request.HttpContext.RequestAborted, body.FullText);
        return result.Outcome switch
        {
            AddOutcome.Added => Results.Json(new { feed = await HealthAsync(result.Feed!, request), discoveredFrom = result.DiscoveredFrom }, Json, statusCode: StatusCodes.Status201Created),
            AddOutcome.Duplicate => Results.Problem(title: result.Problem, detail: $"Feed {result.Feed?.Id} has the URL {result.Feed?.Url}.", statusCode: StatusCodes.Status409Conflict),
            AddOutcome.HostBusy => HostBusy(request, result),
            _ => Results.Problem(title: "Not added.", detail: result.Problem, statusCode: StatusCodes.Status422UnprocessableEntity),
        };
    }

    /// <summary>Transient, so a 503 with Retry-After (clients and scripts retry it), and nothing was stored.</summary>
    private static IResult HostBusy(HttpRequest request, AddFeedResult result)
    {
        RetryAfterHeader.Set(request, result.RetryAfter!.Value);
        return Results.Problem(title: "Not added: the feed's host is busy.", detail: result.Summary, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>POST: fetches and parses the URL and shows the items and problems; stores nothing.</summary>
    public async Task<IResult> TestAsync(HttpRequest request)
    {
        var (_, url, invalid) = await ReadFeedUrlAsync(request);
        if (invalid is not null)
            return invalid;
        return Results.Json(await service.TestAsync(url, request.HttpContext.RequestAborted), Json);
    }

    /// <summary>PATCH: title, tags, identity, fullText (Off, On or Auto), status (Active or Paused).</summary>
    public async Task<IResult> EditAsync(HttpRequest request, string id)
    {
        var (edit, invalid) = await ReadAsync<FeedEdit>(request);
        if (invalid is not null)
            return invalid;
        if ((FieldTooLong(edit?.Title, MaxTitleLength, "title") ?? FieldTooLong(edit?.Tags, MaxTagsLength, "tags")) is { } tooLong)
            return tooLong;
        if (edit?.Status is FeedStatus.Disabled or FeedStatus.Deleted)
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["status"] = ["Status may be Active or Paused; use DELETE to delete."] });
        var feed = await service.EditAsync(id, edit ?? new FeedEdit(), request.HttpContext.RequestAborted);
        return feed is null or { Status: FeedStatus.Deleted } ? NotFound() : Results.Json(await HealthAsync(feed, request), Json);
    }

    public Task<IResult> PauseAsync(HttpRequest request, string id) => SetStatusAsync(request, id, FeedStatus.Paused);

    public Task<IResult> ResumeAsync(HttpRequest request, string id) => SetStatusAsync(request, id, FeedStatus.Active);

    private async Task<IResult> SetStatusAsync(HttpRequest request, string id, FeedStatus status)
    {
        var feed = await service.EditAsync(id, new FeedEdit(Status: status), request.HttpContext.RequestAborted);
        return feed is null or { Status: FeedStatus.Deleted } ? NotFound() : Results.Json(await HealthAsync(feed, request), Json);
    }

    /// <summary>DELETE: the feed stops at once; its articles are purged after Feeds__DeletedFeedRetention.</summary>
    public async Task<IResult> DeleteAsync(HttpRequest request, string id)
    {
        return await service.DeleteAsync(id, request.HttpContext.RequestAborted) ? Results.NoContent() : NotFound();
    }

    public async Task<IResult> RetryAsync(HttpRequest request, string id)
    {
        var feed = await service.RetryAsync(id, request.HttpContext.RequestAborted);
        return feed is null ? NotFound() : Results.Json(await HealthAsync(feed, request), Json, statusCode: StatusCodes.Status202Accepted);
    }

    public async Task<IResult> RetryErroredAsync(HttpRequest request)
    {
        var retried = await service.RetryErroredAsync(request.HttpContext.RequestAborted);
        return Results.Json(new { retried = retried.Count, feeds = retried.Select(f => f.Id) }, Json, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>POST an OPML document (the raw body): one result per entry.</summary>
    public async Task<IResult> ImportAsync(HttpRequest request)
    {
        IReadOnlyList<OpmlEntry> entries;
        try
        {
            using var buffer = new MemoryStream(await RequestBody.ReadBytesAsync(request, RequestBody.MaxDocumentBytes));
            entries = Opml.Read(buffer);
        }
        catch (XmlException ex)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["opml"] = [$"Not an OPML document: {ex.Message}"] });
        }
        var results = await service.ImportAsync(entries, request.HttpContext.RequestAborted);
        return Results.Json(new
        {
            added = results.Count(r => r.Result == "added"),
            duplicate = results.Count(r => r.Result == "duplicate"),
            invalid = results.Count(r => r.Result == "invalid"),
            entries = results,
        }, Json);
    }

    public async Task<IResult> ExportAsync(HttpRequest request)
    {
        var list = await service.ListAsync(request.HttpContext.RequestAborted);
        return Results.Text(Opml.Write(list, site.Value.Name, time.GetUtcNow()), "text/x-opml; charset=utf-8", Encoding.UTF8);
    }

    /// <summary>GET <c>?days=7</c>: matches per feed and per subscription per day.</summary>
    public async Task<IResult> StatsAsync(HttpRequest request)
    {
        var days = int.TryParse(request.Query["days"], out var d) ? d : 7;
        return Results.Json(await stats.ComputeAsync(days, request.HttpContext.RequestAborted), Json);
    }

    private async Task<FeedHealth> HealthAsync(Feed feed, HttpRequest request) =>
        FeedHealth.Of(feed, (await activity.ItemsPerDayAsync([feed], request.HttpContext.RequestAborted)).GetValueOrDefault(feed.Id));

    private static IResult NotFound() => Results.Problem(title: "No such feed.", statusCode: StatusCodes.Status404NotFound);

    /// <summary>A body naming a feed URL (add, test): a 400 when it is malformed or has no URL.</summary>
    private static async Task<(AddFeedRequest Body, string Url, IResult? Invalid)> ReadFeedUrlAsync(HttpRequest request)
    {
        var (body, invalid) = await ReadAsync<AddFeedRequest>(request);
        if (invalid is not null)
            return (null!, "", invalid);
        if (string.IsNullOrWhiteSpace(body?.Url))
            return (null!, "", Results.ValidationProblem(new Dictionary<string, string[]> { ["url"] = ["A feed URL is required."] }));
        if ((FieldTooLong(body.Url, MaxUrlLength, "url") ?? FieldTooLong(body.Title, MaxTitleLength, "title") ?? FieldTooLong(body.Tags, MaxTagsLength, "tags")) is { } tooLong)
            return (null!, "", tooLong);
        return (body, body.Url, null);
    }

    private const int MaxUrlLength = 2048;
    private const int MaxTitleLength = 300;
    private const int MaxTagsLength = 500;

    private static IResult? FieldTooLong(string? value, int limit, string field) => value is { Length: var n } && n > limit
        ? Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [$"At most {limit} characters ({n} given)."] })
        : null;

    private static async Task<(T? Body, IResult? Invalid)> ReadAsync<T>(HttpRequest request)
    {
        try
        {
            return (await RequestBody.ReadJsonAsync<T>(request, Json), null);
        }
        catch (JsonException ex)
        {
            return (default, Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [$"The body is not valid JSON: {ex.Message}"] }));
        }
    }
}
