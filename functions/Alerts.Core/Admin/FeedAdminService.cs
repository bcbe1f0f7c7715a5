using Alerts.Core.Feeds;
using Alerts.Core.Storage;
using Alerts.Core.Web;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Admin;

/// <summary>What adding a feed did.</summary>
public enum AddOutcome
{
    Added,
    Duplicate,
    Invalid,
    /// <summary>The server failed (dead URL, 404, 5xx, timeout) and the caller asked not to add such a feed.</summary>
    Unreachable,
    /// <summary>Other fetches held every slot for the feed's host for longer than a fetch may wait; nothing stored, try again later.</summary>
    HostBusy,
}

/// <param name="Feed">The stored feed (added, or the existing duplicate).</param>
/// <param name="Problem">What went wrong, technically (exception and status text): for logs, the API and a folded detail.</param>
/// <param name="DiscoveredFrom">The web page the feed was found on, when the admin gave a page URL.</param>
public sealed record AddFeedResult(AddOutcome Outcome, Feed? Feed, string? Problem, string? DiscoveredFrom = null)
{
    /// <summary>The same in plain words, for the admin page; for an added feed, why its first fetch failed (else null).</summary>
    public string? Summary { get; init; }

    /// <summary>For <see cref="AddOutcome.HostBusy"/>: when the host should have a free slot again.</summary>
    public TimeSpan? RetryAfter { get; init; }
}

/// <summary>One entry of an OPML import.</summary>
public sealed record ImportResult(string Url, string Title, string Result, string? FeedId, string? Reason);

/// <summary>A feed checked without saving it.</summary>
public sealed record FeedTestReport(
    string Url, string? DiscoveredFrom, int? Status, string? ContentType, int ElapsedMs, string Title, string SiteUrl,
    TimeSpan? DeclaredInterval, IReadOnlyList<FeedTestItem> Items, IReadOnlyList<string> Problems);

public sealed record FeedTestItem(string Title, string? Link, string? Guid, DateTimeOffset? PublishedAt, string Summary);

/// <summary>Changes an admin may make to a feed; null leaves a field alone.</summary>
public sealed record FeedEdit(
    string? Title = null, string? Tags = null, ItemIdentity? Identity = null, FeedStatus? Status = null, FullTextMode? FullText = null);

/// <summary>Feed management shared by the admin API and the admin pages.</summary>
public sealed class FeedAdminService(
    FeedStore feeds,
    FeedFetcher fetcher,
    FeedParser parser,
    FeedFetchHandler fetchHandler,
    AlertsStorage storage,
    IOptions<FeedFetchOptions> fetchOptions,
    TimeProvider time,
    ILogger<FeedAdminService> logger)
{
    /// <summary>A resolved URL: the feed's own URL, the one response it came with, and its parse.</summary>
    private sealed record Resolved(string FeedUrl, FeedFetchResult Result, ParsedFeed? Parsed, string? DiscoveredFrom, string? Problem)
    {
        public string? Summary { get; init; }
    }

    /// <summary>How long a deleted feed can be restored before the poller purges it (<see cref="FeedFetchOptions.DeletedFeedRetention"/>).</summary>
    public TimeSpan DeletedFeedRetention => fetchOptions.Value.DeletedFeedRetention;

    public async Task<List<Feed>> ListAsync(CancellationToken cancellationToken)
    {
        var list = new List<Feed>();
        await foreach (var feed in feeds.ListAsync(cancellationToken))
        {
            if (feed.Status != FeedStatus.Deleted)
                list.Add(feed);
        }
        return list;
    }

    /// <summary>One feed by id (a point read, not a scan); a deleted feed counts as gone.</summary>
    public async Task<Feed?> GetAsync(string id, CancellationToken cancellationToken) =>
        await feeds.GetAsync(id, cancellationToken) is { Status: not FeedStatus.Deleted } feed ? feed : null;

    /// <summary>
    /// Adds a feed by its URL or by a web page that links to it. One request per URL involved (the page, then the
    /// feed it names), and the feed's response is what gets stored: there is no second fetch of the feed.
    /// A feed whose server fails right now is still added, with the failure on its health; a URL that answers with
    /// something that is neither a feed nor a page linking to one is refused.
    /// </summary>
    /// <param name="fullText">Whether new items' pages are fetched for their full text (see <see cref="Feed.FullText"/>).</param>
    /// <param name="addUnreachable">
    /// Whether a URL whose server fails right now is added anyway (the API's behaviour: the failure shows on the
    /// feed's health). The admin page passes false first, so a typo never turns silently into a broken feed, and true
    /// only when the admin presses "Add anyway" for a server they know is down for now.
    /// </param>
    public async Task<AddFeedResult> AddAsync(
        string url, string? title, string? tags, ItemIdentity identity, CancellationToken cancellationToken, FullTextMode fullText = FullTextMode.Off,
        bool addUnreachable = true)
    {
        if (!TryNormalise(url, out var normalised, out var invalid, out var invalidSummary))
            return new AddFeedResult(AddOutcome.Invalid, null, invalid) { Summary = invalidSummary };
        if (await ExistingAsync(normalised, cancellationToken) is { } duplicate)
            return new AddFeedResult(AddOutcome.Duplicate, duplicate, "This feed is already registered.") { Summary = "This feed is already registered." };

        Resolved resolved;
        try
        {
            resolved = await ResolveAsync(normalised, cancellationToken);
        }
        catch (HostBusyException busy)
        {
            // Not the feed's fault and not ours: the host is being fetched for other feeds. Nothing is stored, so the
            // admin's retry is the same request.
            return new AddFeedResult(AddOutcome.HostBusy, null, busy.Message) { Summary = BusyText(busy), RetryAfter = busy.RetryAfter };
        }
        var unreachable = resolved.Result is FeedFetchResult.Failed { Kind: not FeedErrorKind.Refused };
        if (resolved.Problem is not null && !unreachable)
            return new AddFeedResult(AddOutcome.Invalid, null, resolved.Problem, resolved.DiscoveredFrom) { Summary = resolved.Summary };
        if (unreachable && !addUnreachable)
            return new AddFeedResult(AddOutcome.Unreachable, null, resolved.Problem, resolved.DiscoveredFrom) { Summary = resolved.Summary };
        if (resolved.DiscoveredFrom is not null && await ExistingAsync(resolved.FeedUrl, cancellationToken) is { } found)
            return new AddFeedResult(AddOutcome.Duplicate, found, "The page's feed is already registered.", resolved.DiscoveredFrom) { Summary = "The page's feed is already registered." };

        var now = time.GetUtcNow();
        var feed = Feed.Create(resolved.FeedUrl, now, fetchOptions.Value.DefaultPollInterval, title?.Trim() ?? "", CleanTags(tags)) with { Identity = identity, FullText = fullText };
        if (!await feeds.TryAddAsync(feed, cancellationToken))
        {
            var existing = await feeds.GetAsync(feed.Id, cancellationToken);
            if (existing is not { Status: FeedStatus.Deleted })
                return new AddFeedResult(AddOutcome.Duplicate, existing, "This feed is already registered.");
            // Re-adding a deleted feed brings it back fresh; its old articles were kept and still dedupe.
            await feeds.ReplaceAsync(feed, cancellationToken);
        }
        var stored = await feeds.GetStoredAsync(feed.Id, cancellationToken);
        if (stored is not null)
            await fetchHandler.ApplyAsync(stored, resolved.Result, cancellationToken);
        await storage.Queue(QueueNames.FeedFetch).SendAsync(new FeedFetchMessage(feed.Id, UnlessCheckedSince: now), cancellationToken);
        logger.LogInformation("Feed {FeedId} added for {Url} (from {Input})", feed.Id, feed.Url, normalised);
        return new AddFeedResult(AddOutcome.Added, await feeds.GetAsync(feed.Id, cancellationToken) ?? feed, resolved.Problem, resolved.DiscoveredFrom)
        {
            Summary = unreachable ? resolved.Summary : null,
        };
    }

    /// <summary>Fetches and parses a feed (or a page's feed) and reports what we would store, without storing anything.</summary>
    public async Task<FeedTestReport> TestAsync(string url, CancellationToken cancellationToken)
    {
        if (!TryNormalise(url, out var normalised, out var invalid))
            return new FeedTestReport(url, null, null, null, 0, "", "", null, [], [invalid]);
        Resolved resolved;
        try
        {
            resolved = await ResolveAsync(normalised, cancellationToken);
        }
        catch (HostBusyException busy)
        {
            return new FeedTestReport(normalised, null, null, null, 0, "", "", null, [], [BusyText(busy)]);
        }
        var problems = new List<string>();
        if (resolved.Problem is not null)
            problems.Add(resolved.Problem);
        var (status, contentType) = resolved.Result switch
        {
            FeedFetchResult.Fetched f => ((int?)f.Status, f.ContentType),
            FeedFetchResult.Failed f => (f.Status, null),
            _ => (null, (string?)null),
        };
        var parsed = resolved.Parsed;
        if (parsed is not null)
        {
            if (parsed.Items.Count == 0)
                problems.Add("The feed has no items.");
            var undated = parsed.Items.Count(i => i.PublishedAt is null);
            if (undated > 0)
                problems.Add($"{undated} item(s) have no readable date; they will be dated when first seen.");
            var repeated = ItemIdentities.RepeatedGuids(parsed.Items);
            if (repeated.Count > 0)
                problems.Add($"{repeated.Count} guid(s) repeat within the feed; those items are told apart by link.");
            var anonymous = parsed.Items.Count(i => i.Guid is null && i.Link is null);
            if (anonymous > 0)
                problems.Add($"{anonymous} item(s) have neither guid nor link; they are identified by a hash of their content.");
        }
        if (resolved.Result.MovedTo is { } moved)
            problems.Add($"The URL redirects permanently to {moved}.");
        return new FeedTestReport(
            resolved.FeedUrl, resolved.DiscoveredFrom, status, contentType, (int)resolved.Result.Elapsed.TotalMilliseconds,
            parsed?.Title ?? "", parsed?.SiteUrl ?? "", parsed?.DeclaredInterval,
            parsed?.Items.Select(i => new FeedTestItem(i.Title, i.Link, i.Guid, i.PublishedAt, i.Summary.Length > 300 ? i.Summary[..300] : i.Summary)).ToList() ?? [],
            problems);
    }

    public async Task<Feed?> EditAsync(string id, FeedEdit edit, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await feeds.UpdateAsync(id, f => f.Status == FeedStatus.Deleted ? f : f with
        {
            Title = edit.Title?.Trim() ?? f.Title,
            Tags = edit.Tags is null ? f.Tags : CleanTags(edit.Tags),
            Identity = edit.Identity ?? f.Identity,
            FullText = edit.FullText ?? f.FullText,
            Status = edit.Status is FeedStatus.Active or FeedStatus.Paused ? edit.Status.Value : f.Status,
            // Resuming (also a feed disabled by 410) polls it at once and clears the old reason.
            DisabledReason = edit.Status == FeedStatus.Active ? null : f.DisabledReason,
            NextCheckAt = edit.Status == FeedStatus.Active && f.Status != FeedStatus.Active ? now : f.NextCheckAt,
        }, cancellationToken);
    }

    /// <summary>Marks the feed deleted: it stops polling and leaves the lists at once; its articles go after the retention period.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var updated = await feeds.UpdateAsync(id, f => f.Status == FeedStatus.Deleted ? f : f with { Status = FeedStatus.Deleted, DeletedAt = now }, cancellationToken);
        if (updated is not null)
            logger.LogInformation("Feed {FeedId} {Url} deleted; articles kept until {PurgeAt}", id, updated.Url, now + fetchOptions.Value.DeletedFeedRetention);
        return updated is not null;
    }

    /// <summary>
    /// Deleted feeds not purged yet, newest first: they are not fetched, and <see cref="RestoreAsync"/> brings them back
    /// until the poller purges them <see cref="DeletedFeedRetention"/> after their deletion.
    /// </summary>
    public async Task<List<Feed>> ListDeletedAsync(CancellationToken cancellationToken)
    {
        var list = new List<Feed>();
        await foreach (var feed in feeds.ListByStatusAsync(FeedStatus.Deleted, cancellationToken))
            list.Add(feed);
        return list.OrderByDescending(f => f.DeletedAt).ToList();
    }

    /// <summary>Undoes a delete: the feed is active again and due at once. Null when it is not deleted (or already purged).</summary>
    public async Task<Feed?> RestoreAsync(string id, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var wasDeleted = false;
        var restored = await feeds.UpdateAsync(id, f =>
        {
            wasDeleted = f.Status == FeedStatus.Deleted;
            return wasDeleted ? f with { Status = FeedStatus.Active, DeletedAt = null, DisabledReason = null, NextCheckAt = now } : f;
        }, cancellationToken);
        if (restored is null || !wasDeleted)
            return null;
        logger.LogInformation("Feed {FeedId} {Url} restored", id, restored.Url);
        return restored;
    }

    /// <summary>Checks the feed now (re-enabling it if it was disabled), whatever its backoff said.</summary>
    public async Task<Feed?> RetryAsync(string id, CancellationToken cancellationToken)
    {
        var retried = await RetryManyAsync([id], cancellationToken);
        return retried.SingleOrDefault();
    }

    /// <summary>Retries every errored feed (failing or disabled), in messages grouped by host like the poller's.</summary>
    public async Task<IReadOnlyList<Feed>> RetryErroredAsync(CancellationToken cancellationToken)
    {
        var errored = (await ListAsync(cancellationToken)).Where(f => f.IsErrored && f.Status != FeedStatus.Paused).Select(f => f.Id).ToList();
        return await RetryManyAsync(errored, cancellationToken);
    }

    private async Task<IReadOnlyList<Feed>> RetryManyAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var lease = now + fetchOptions.Value.FetchLease;
        var retried = new List<Feed>();
        foreach (var id in ids)
        {
            var updated = await feeds.UpdateAsync(id, f => f.Status is FeedStatus.Deleted ? f : f with
            {
                Status = FeedStatus.Active,
                DisabledReason = null,
                NextCheckAt = lease,
            }, cancellationToken);
            if (updated is { Status: FeedStatus.Active })
                retried.Add(updated);
        }
        var queue = storage.Queue(QueueNames.FeedFetch);
        foreach (var host in retried.GroupBy(f => f.Host, StringComparer.OrdinalIgnoreCase))
        {
            foreach (var batch in host.Chunk(fetchOptions.Value.FeedsPerMessage))
                await queue.SendAsync(new FeedFetchMessage(batch[0].Id, batch.Length > 1 ? batch[1..].Select(f => f.Id).ToList() : null), cancellationToken);
        }
        logger.LogInformation("Retry queued for {Count} feeds", retried.Count);
        return retried;
    }

    /// <summary>
    /// Registers every feed of an OPML file without fetching (the poller picks them up in its next tick, politely).
    /// One result per entry, in file order: added, duplicate (already registered, or twice in the file) or invalid.
    /// </summary>
    public async Task<IReadOnlyList<ImportResult>> ImportAsync(IReadOnlyList<OpmlEntry> entries, CancellationToken cancellationToken)
    {
        var known = new Dictionary<string, Feed>(StringComparer.Ordinal);
        foreach (var feed in await ListAsync(cancellationToken))
        {
            known[feed.Id] = feed;
            known[Feed.IdFor(feed.Url)] = feed; // a feed that moved (301) is known under its new URL too
        }
        var now = time.GetUtcNow();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var results = new ImportResult[entries.Count];
        var toAdd = new List<(int Index, Feed Feed)>();
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (!TryNormalise(entry.XmlUrl, out var url, out var invalid))
            {
                results[i] = new ImportResult(entry.XmlUrl, entry.Title, "invalid", null, invalid);
                continue;
            }
            var id = Feed.IdFor(url);
            if (known.TryGetValue(id, out var existing))
            {
                results[i] = new ImportResult(url, entry.Title, "duplicate", existing.Id, "Already registered.");
                continue;
            }
            if (!seen.Add(id))
            {
                results[i] = new ImportResult(url, entry.Title, "duplicate", id, "Listed earlier in this file.");
                continue;
            }
            toAdd.Add((i, Feed.Create(url, now, fetchOptions.Value.DefaultPollInterval, entry.Title, CleanTags(entry.Tags))));
        }

        // Inserts in parallel (a few at a time): 300 feeds take about a second on Azurite instead of several.
        await Parallel.ForEachAsync(toAdd, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (item, ct) =>
        {
            var added = await feeds.TryAddAsync(item.Feed, ct);
            if (!added && await feeds.GetAsync(item.Feed.Id, ct) is { Status: FeedStatus.Deleted })
            {
                await feeds.ReplaceAsync(item.Feed, ct);
                added = true;
            }
            results[item.Index] = new ImportResult(item.Feed.Url, item.Feed.Title, added ? "added" : "duplicate", item.Feed.Id, added ? null : "Already registered.");
        });
        logger.LogInformation("OPML import: {Added} added, {Duplicate} duplicate, {Invalid} invalid",
            results.Count(r => r.Result == "added"), results.Count(r => r.Result == "duplicate"), results.Count(r => r.Result == "invalid"));
        return results;
    }

    private bool TryNormalise(string? url, out string normalised, out string problem) => TryNormalise(url, out normalised, out problem, out _);

    /// <param name="summary">The problem in plain words, for the admin page.</param>
    private bool TryNormalise(string? url, out string normalised, out string problem, out string summary)
    {
        normalised = "";
        problem = "";
        summary = "";
        try
        {
            normalised = Feed.NormaliseUrl(url ?? "");
        }
        catch (ArgumentException)
        {
            problem = "Not an absolute http or https URL.";
            summary = FeedProblemText.NotAWebAddress;
            return false;
        }
        if (FeedAddressGuard.IsRefusedLiteral(new Uri(normalised), fetchOptions.Value))
        {
            problem = "The address is loopback, private or link-local; feeds there are refused (SSRF guard).";
            summary = FeedProblemText.PrivateAddress;
            return false;
        }
        return true;
    }

    private async Task<Feed?> ExistingAsync(string url, CancellationToken cancellationToken) =>
        await feeds.GetAsync(Feed.IdFor(url), cancellationToken) is { Status: not FeedStatus.Deleted } existing ? existing : null;

    /// <summary>One GET of the URL; when it is an HTML page, one GET of the first feed it links to.</summary>
    private async Task<Resolved> ResolveAsync(string url, CancellationToken cancellationToken)
    {
        var maxItems = fetchOptions.Value.MaxItemsPerFetch;
        var result = await fetcher.FetchAsync(url, null, null, cancellationToken);
        var feedUrl = result.MovedTo ?? url;
        if (result is FeedFetchResult.Failed failed)
            return new Resolved(feedUrl, result, null, null, $"{failed.Kind}: {failed.Message}") { Summary = FeedProblemText.Of(failed, url) };
        if (result is not FeedFetchResult.Fetched fetched)
            return new Resolved(feedUrl, result, null, null, "Unexpected 304 for a request without validators.") { Summary = FeedProblemText.NotAFeed };
        await FeedParserWarmUp.EnsureAsync().WaitAsync(cancellationToken); // as for fetches: compiling the parser is not the feed's cost
        if (parser.TryParse(fetched.Body, fetched.ContentType, fetched.Url ?? url, maxItems, cancellationToken, out var parsed, out var error))
            return new Resolved(feedUrl, result, parsed, null, null);

        var text = FeedEncoding.Decode(fetched.Body, fetched.ContentType);
        if (!FeedDiscovery.LooksLikeHtml(text, fetched.ContentType))
            return new Resolved(feedUrl, result, null, null, error) { Summary = FeedProblemText.NotAFeed };
        var links = FeedDiscovery.FindFeedLinks(text, new Uri(fetched.Url ?? url));
        if (links.Count == 0)
            return new Resolved(feedUrl, result, null, null, "The page links to no feed (no <link rel=\"alternate\"> with an RSS, Atom or JSON Feed type).")
            {
                Summary = FeedProblemText.PageWithoutFeed,
            };

        var discovered = Feed.NormaliseUrl(links[0]);
        var feedResult = await fetcher.FetchAsync(discovered, null, null, cancellationToken);
        var finalUrl = feedResult.MovedTo ?? discovered;
        if (feedResult is FeedFetchResult.Failed feedFailed)
            return new Resolved(finalUrl, feedResult, null, url, $"{feedFailed.Kind}: {feedFailed.Message}")
            {
                Summary = $"The page links to the feed {discovered}, but: {FeedProblemText.Of(feedFailed, discovered)}",
            };
        if (feedResult is FeedFetchResult.Fetched feedFetched && parser.TryParse(feedFetched.Body, feedFetched.ContentType, feedFetched.Url ?? discovered, maxItems, cancellationToken, out var feedParsed, out var feedError))
            return new Resolved(finalUrl, feedResult, feedParsed, url, null);
        return new Resolved(finalUrl, feedResult, null, url, "The page's feed link does not return a readable feed.")
        {
            Summary = $"The page links to the feed {discovered}, but that address does not return a feed it can read.",
        };
    }

    private static string BusyText(HostBusyException busy) =>
        $"{busy.Host} is busy with other fetches just now; try again in {RetryAfterHeader.Seconds(busy.RetryAfter)} s.";

    private static string CleanTags(string? tags) =>
        string.Join(",", (tags ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.OrdinalIgnoreCase));
}
