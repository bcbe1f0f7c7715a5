using System.Xml;
using Alerts.Core.Admin.Pages;
using Alerts.Core.Feeds;
using Alerts.Core.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Admin;

/// <summary>
/// Server-rendered admin pages at <c>/manage-feeds</c>: add by feed or page URL, OPML import/export, the health
/// table with an errored filter and retry, value stats. Plain forms (no JavaScript); the admin key travels as
/// <c>?code=</c>, which is also what the Functions host accepts for AuthorizationLevel.Function routes.
/// </summary>
public sealed class AdminPages(FeedAdminService service, FeedStats stats, FeedActivity activity, IOptions<SiteOptions> site)
{
    public async Task<IResult> FeedsAsync(HttpRequest request)
    {
        return await FeedsPageAsync(request, add: null, StatusCodes.Status200OK);
    }

    /// <summary>The feeds page; after a failed add it is rendered in the POST's answer, so the form keeps what was typed.</summary>
    private async Task<IResult> FeedsPageAsync(HttpRequest request, AddFormModel? add, int statusCode)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var all = await service.ListAsync(cancellationToken);
        var deleted = await service.ListDeletedAsync(cancellationToken);
        string? status = request.Query["status"], tag = request.Query["tag"];
        var shown = all.Where(f => FeedHealth.Matches(f, status, tag))
            .OrderByDescending(f => f.IsErrored).ThenBy(f => f.Title.Length > 0 ? f.Title : f.Url, StringComparer.OrdinalIgnoreCase).ToList();
        var rates = await activity.ItemsPerDayAsync(shown, cancellationToken);
        var query = add is null ? request.Query : QueryCollection.Empty; // a failed add shows its own message only
        var undo = query["undo"].FirstOrDefault() is { Length: > 0 } undoId ? deleted.FirstOrDefault(f => f.Id == undoId) : null;
        return ComponentPage.For<FeedsPage>(new FeedsPageModel(
            SiteName, Code(request), query["notice"].FirstOrDefault(), query["warning"].FirstOrDefault(), query["error"].FirstOrDefault(),
            ErroredOnly: status?.Equals("errored", StringComparison.OrdinalIgnoreCase) == true,
            all.Count, all.Count(f => f.IsErrored), shown, rates, add, undo, deleted, service.DeletedFeedRetention), statusCode);
    }

    /// <summary>
    /// POST of the add form. Success redirects (so a reload does not add twice); failure answers 4xx with the page
    /// itself, the typed URL and tags still in the form, the problem in plain words and the technical detail folded.
    /// A URL whose server fails is refused first, with an "Add anyway" for a server the admin knows is down for now.
    /// </summary>
    public async Task<IResult> AddAsync(HttpRequest request)
    {
        var form = await RequestBody.ReadFormAsync(request, RequestBody.MaxDocumentBytes);
        var url = form["url"].ToString().Trim();
        var tags = form["tags"].ToString();
        if (url.Length == 0)
            return await FeedsPageAsync(request, new AddFormModel(url, tags, "Enter a feed or web page URL.", null, CanAddAnyway: false), StatusCodes.Status400BadRequest);
        var anyway = form["anyway"] == "yes";
        var result = await service.AddAsync(url, null, tags, ItemIdentity.Auto, request.HttpContext.RequestAborted, addUnreachable: anyway);
        var found = result.DiscoveredFrom is not null ? $" (found on {result.DiscoveredFrom})" : "";
        return result.Outcome switch
        {
            AddOutcome.Added when result.Summary is { } failed =>
                Back(request, warning: $"{Name(result.Feed!)} was added{found}, but its first fetch failed: {failed} It is retried with backoff; its row shows each attempt."),
            AddOutcome.Added => Back(request, notice: $"Added {Name(result.Feed!)}{found}."),
            AddOutcome.Duplicate => await FeedsPageAsync(request,
                new AddFormModel(url, tags, $"Already registered: {(result.Feed is null ? url : Name(result.Feed))}.", null, CanAddAnyway: false), StatusCodes.Status409Conflict),
            AddOutcome.HostBusy => await FeedsPageAsync(request,
                new AddFormModel(url, tags, $"Not added yet. {result.Summary}", result.Problem, CanAddAnyway: false), StatusCodes.Status503ServiceUnavailable),
            _ => await FeedsPageAsync(request,
                new AddFormModel(url, tags, $"Not added. {result.Summary ?? FeedProblemText.NotAFeed}", result.Problem, CanAddAnyway: result.Outcome == AddOutcome.Unreachable),
                StatusCodes.Status422UnprocessableEntity),
        };
    }

    public async Task<IResult> ImportAsync(HttpRequest request)
    {
        var form = await RequestBody.ReadFormAsync(request, RequestBody.MaxDocumentBytes);
        if (form.Files["opml"] is not { Length: > 0 } file)
            return Back(request, error: "Choose an OPML file to import.");
        IReadOnlyList<OpmlEntry> entries;
        try
        {
            await using var stream = file.OpenReadStream();
            entries = Opml.Read(stream);
        }
        catch (XmlException ex)
        {
            return Back(request, error: $"Not an OPML file: {ex.Message}");
        }
        var results = await service.ImportAsync(entries, request.HttpContext.RequestAborted);
        return ComponentPage.For<ImportPage>(new ImportPageModel(SiteName, Code(request), results));
    }

    public async Task<IResult> RetryErroredAsync(HttpRequest request)
    {
        var retried = await service.RetryErroredAsync(request.HttpContext.RequestAborted);
        return Back(request, notice: $"Retrying {retried.Count} errored feed(s).");
    }

    /// <summary>POST <c>/manage-feeds/{id}/{verb}</c> with verb edit (the edit form), retry, pause, resume, delete (asks first unless confirm=yes) or restore.</summary>
    public async Task<IResult> FeedActionAsync(HttpRequest request, string id, string verb)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        switch (verb)
        {
            case "edit":
                var form = await RequestBody.ReadFormAsync(request, RequestBody.MaxDocumentBytes);
                // Only the three named choices; a hand-made "7" or "Deleted" must not slip through Enum.TryParse.
                if (!Enum.TryParse<ItemIdentity>(form["identity"], ignoreCase: true, out var identity) || !Enum.IsDefined(identity) || int.TryParse(form["identity"], out _))
                    return Back(request, error: "Choose an item identity: Auto, Link or Content.");
                FullTextMode? fullText = null;
                if (form.ContainsKey("fulltext"))
                {
                    if (!Enum.TryParse<FullTextMode>(form["fulltext"], ignoreCase: true, out var mode) || !Enum.IsDefined(mode) || int.TryParse(form["fulltext"], out _))
                        return Back(request, error: "Choose full text: Off, On or Auto.");
                    fullText = mode;
                }
                var saved = await service.EditAsync(id, new FeedEdit(Title: form["title"].ToString(), Tags: form["tags"].ToString(), Identity: identity, FullText: fullText), cancellationToken);
                return saved is { Status: not FeedStatus.Deleted } ? Back(request, notice: $"Saved {Name(saved)}.") : Back(request, error: "No such feed.");
            case "retry":
                return await service.RetryAsync(id, cancellationToken) is { } retried ? Back(request, notice: $"Retrying {Name(retried)}.") : Back(request, error: "No such feed.");
            case "pause" or "resume":
                var edited = await service.EditAsync(id, new FeedEdit(Status: verb == "pause" ? FeedStatus.Paused : FeedStatus.Active), cancellationToken);
                return edited is { Status: not FeedStatus.Deleted } ? Back(request, notice: $"{(verb == "pause" ? "Paused" : "Resumed")} {Name(edited)}.") : Back(request, error: "No such feed.");
            case "delete":
                // Two steps without script: the Delete buttons post here without "confirm" and get the question.
                var confirmed = request.HasFormContentType && (await RequestBody.ReadFormAsync(request))["confirm"] == "yes";
                if (await service.GetAsync(id, cancellationToken) is not { } feed)
                    return Back(request, error: "No such feed.");
                if (!confirmed)
                    return ComponentPage.For<ConfirmDeletePage>(new ConfirmDeletePageModel(SiteName, Code(request), feed, service.DeletedFeedRetention));
                return await service.DeleteAsync(id, cancellationToken)
                    ? Back(request, notice: $"Feed deleted: {Name(feed)}. It is no longer fetched; you can undo this for {FeedDisplay.Period(service.DeletedFeedRetention)}.", undo: id)
                    : Back(request, error: "No such feed.");
            case "restore":
                return await service.RestoreAsync(id, cancellationToken) is { } restored
                    ? Back(request, notice: $"Restored {Name(restored)}; it is fetched again.")
                    : Back(request, error: "That feed is not deleted, or has been purged.");
            default:
                return ComponentPage.For<MessagePage>(new MessagePageModel(SiteName, Code(request), "Not found", "Not found", BackToFeeds: false), StatusCodes.Status404NotFound);
        }
    }

    /// <summary>GET <c>/manage-feeds/{id}/edit</c>: title, tags and item identity, plus pause/resume and delete.</summary>
    public async Task<IResult> EditAsync(HttpRequest request, string id)
    {
        var feed = await service.GetAsync(id, request.HttpContext.RequestAborted);
        if (feed is null)
            return ComponentPage.For<MessagePage>(new MessagePageModel(SiteName, Code(request), "Not found", "No such feed", BackToFeeds: true), StatusCodes.Status404NotFound);
        return ComponentPage.For<EditPage>(new EditPageModel(SiteName, Code(request), feed, service.DeletedFeedRetention));
    }

    /// <summary>
    /// GET shows the form; POST fetches and parses the URL (or the feed a page links to) and shows the items and
    /// problems. Nothing is stored, so rendering the POST's answer directly (no redirect) is safe to resubmit.
    /// </summary>
    public async Task<IResult> TestAsync(HttpRequest request)
    {
        string url = "";
        FeedTestReport? report = null;
        string? error = null;
        if (HttpMethods.IsPost(request.Method))
        {
            var form = await RequestBody.ReadFormAsync(request, RequestBody.MaxDocumentBytes);
            url = form["url"].ToString().Trim();
            if (url.Length == 0)
                error = "Enter a feed or web page URL.";
            else
                report = await service.TestAsync(url, request.HttpContext.RequestAborted);
        }
        return ComponentPage.For<TestPage>(new TestPageModel(SiteName, Code(request), url, error, report));
    }

    public async Task<IResult> StatsAsync(HttpRequest request)
    {
        var days = int.TryParse(request.Query["days"], out var d) ? d : 7;
        var value = await stats.ComputeAsync(days, request.HttpContext.RequestAborted);
        return ComponentPage.For<StatsPage>(new StatsPageModel(SiteName, Code(request), request.Query["code"].FirstOrDefault(), value));
    }

    /// <summary>The 401 page AdminKey answers on these pages without the key.</summary>
    public IResult KeyRequired() =>
        ComponentPage.For<KeyRequiredPage>(new KeyRequiredPageModel(SiteName), StatusCodes.Status401Unauthorized);

    private string SiteName => site.Value.Name;

    /// <summary>"?code=…" when the request carried the key in the query, so links and forms keep working.</summary>
    private static string Code(HttpRequest request) =>
        request.Query["code"].FirstOrDefault() is { Length: > 0 } code ? "?code=" + Uri.EscapeDataString(code) : "?";

    private static IResult Back(HttpRequest request, string? notice = null, string? error = null, string? warning = null, string? undo = null)
    {
        var query = new List<string>();
        if (request.Query["code"].FirstOrDefault() is { Length: > 0 } code)
            query.Add("code=" + Uri.EscapeDataString(code));
        foreach (var (key, value) in new[] { ("notice", notice), ("warning", warning), ("error", error), ("undo", undo) })
        {
            if (value is not null)
                query.Add(key + "=" + Uri.EscapeDataString(value));
        }
        return Results.Redirect($"/{Routes.AdminPage}?{string.Join("&", query)}");
    }

    private static string Name(Feed f) => FeedDisplay.Name(f);
}
