using System.Globalization;
using System.Text;
using System.Xml;
using Alerts.Core.Feeds;
using Alerts.Core.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using static Alerts.Core.Web.HtmlPage;

namespace Alerts.Core.Admin;

/// <summary>
/// Server-rendered admin pages at <c>/manage-feeds</c>: add by feed or page URL, OPML import/export, the health
/// table with an errored filter and retry, value stats. Plain forms (no JavaScript); the admin key travels as
/// <c>?code=</c>, which is also what the Functions host accepts for AuthorizationLevel.Function routes.
/// </summary>
public sealed class AdminPages(FeedAdminService service, FeedStats stats, IOptions<SiteOptions> site, TimeProvider time)
{
    // The shared layout is narrow for forms; the health table needs the width.
    private const string Style = """
        <style>
          main#main { max-width: 96rem; }
          section { margin-bottom: 2rem; }
          .row { display: flex; gap: 2rem; flex-wrap: wrap; }
          .row > section { flex: 1 1 22rem; }
          tr.errored td { background: #fef2f2; }
          td.actions form { display: inline; }
          td.actions a.edit { margin-right: .25rem; }
          dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
          dl.facts dd { margin: 0; word-break: break-all; }
          fieldset label { font-weight: 400; }
          td.actions button { margin: 0 .25rem .25rem 0; padding: .2rem .5rem; font-size: .85rem; }
          td.url { word-break: break-all; max-width: 22rem; }
          .filters a[aria-current] { font-weight: 700; }
        </style>
        """;

    public async Task<IResult> FeedsAsync(HttpRequest request)
    {
        var now = time.GetUtcNow();
        var all = await service.ListAsync(request.HttpContext.RequestAborted);
        string? status = request.Query["status"], tag = request.Query["tag"];
        var shown = all.Where(f => FeedHealth.Matches(f, status, tag))
            .OrderByDescending(f => f.IsErrored).ThenBy(f => f.Title.Length > 0 ? f.Title : f.Url, StringComparer.OrdinalIgnoreCase).ToList();
        var code = Code(request);
        var errored = status?.Equals("errored", StringComparison.OrdinalIgnoreCase) == true;

        var html = new StringBuilder(Style);
        html.Append("<h1>Feeds</h1>");
        if (request.Query["notice"].FirstOrDefault() is { Length: > 0 } notice)
            html.Append($"""<p class="notice" role="status">{Encode(notice)}</p>""");
        if (request.Query["error"].FirstOrDefault() is { Length: > 0 } error)
            html.Append($"""<p class="error" role="alert">{Encode(error)}</p>""");
        html.Append($"""
            <div class="row">
            <section aria-labelledby="add-heading">
            <h2 id="add-heading">Add a feed</h2>
            <form method="post" action="/{Routes.AdminPageAdd}{code}">
            <label for="url">Feed or web page URL</label>
            <input type="text" id="url" name="url" inputmode="url" required>
            <p class="hint">A web page works too: its &lt;link rel="alternate"&gt; feed is found and fetched once.</p>
            <label for="tags">Tags</label>
            <input type="text" id="tags" name="tags">
            <p class="hint">Comma-separated, optional.</p>
            <button type="submit">Add feed</button>
            </form>
            </section>
            <section aria-labelledby="import-heading">
            <h2 id="import-heading">Import and export</h2>
            <form method="post" enctype="multipart/form-data" action="/{Routes.AdminPageImport}{code}">
            <label for="opml">OPML file</label>
            <input type="file" id="opml" name="opml" accept=".opml,.xml,text/xml,text/x-opml">
            <button type="submit">Import OPML</button>
            </form>
            <p><a href="/{Routes.AdminOpml}{code}" download="feeds.opml">Export all feeds as OPML</a> ·
            <a href="/{Routes.AdminPageStats}{code}">Matches per feed and query</a> ·
            <a href="/{Routes.AdminPageTest}{code}">Test a feed without saving it</a></p>
            </section>
            </div>
            <section aria-labelledby="health-heading">
            <h2 id="health-heading">Health</h2>
            <p class="filters">Show:
            <a href="/{Routes.AdminPage}{code}"{(errored ? "" : " aria-current=\"page\"")}>All ({all.Count})</a> ·
            <a href="/{Routes.AdminPage}{code}&amp;status=errored"{(errored ? " aria-current=\"page\"" : "")}>Errored ({all.Count(f => f.IsErrored)})</a></p>
            <form method="post" action="/{Routes.AdminPageRetryErrored}{code}"><button type="submit" class="secondary">Retry all errored feeds</button></form>
            <table id="feeds">
            <caption>{shown.Count} feed(s). Times in UTC.</caption>
            <thead><tr><th scope="col">Feed</th><th scope="col">Status</th><th scope="col">Last success</th><th scope="col">HTTP</th>
            <th scope="col">Error</th><th scope="col">Failures</th><th scope="col">Next check</th><th scope="col">Items/day</th>
            <th scope="col">Last new item</th><th scope="col">Response</th><th scope="col">Saved by 304</th><th scope="col">Actions</th></tr></thead>
            <tbody>
            """);
        foreach (var f in shown)
        {
            var name = f.Title.Length > 0 ? f.Title : f.Url;
            var statusText = f.Status == FeedStatus.Active && f.ConsecutiveFailures > 0 ? "Failing" : f.Status.ToString();
            html.Append($"""
                <tr data-feed-id="{Encode(f.Id)}"{(f.IsErrored ? " class=\"errored\"" : "")}>
                <td class="url"><strong>{Encode(name)}</strong><br><a href="{Encode(f.Url)}">{Encode(f.Url)}</a>{(f.Tags.Length > 0 ? $"<br><span class=\"hint\">{Encode(f.Tags)}</span>" : "")}</td>
                <td>{Encode(statusText)}{(f.DisabledReason is { } reason ? $"<br><span class=\"hint\">{Encode(reason)}</span>" : "")}</td>
                <td>{Time(f.LastSuccessAt)}</td>
                <td>{f.LastHttpStatus?.ToString(CultureInfo.InvariantCulture)}</td>
                <td>{(f.LastErrorKind is { } kind ? $"{Encode(kind.ToString())}: {Encode(f.LastError)}" : "")}{(f.LastRepairs is { } repairs ? $"<br><span class=\"hint\">Repaired: {Encode(repairs)}</span>" : "")}</td>
                <td>{f.ConsecutiveFailures}</td>
                <td>{(f.Status == FeedStatus.Active ? Time(f.NextCheckAt) : "")}</td>
                <td>{f.ItemsPerDay(now).ToString("0.#", CultureInfo.InvariantCulture)}</td>
                <td>{Time(f.LastNewItemAt)}</td>
                <td>{(f.LastResponseMs is { } ms ? $"{ms} ms" : "")}</td>
                <td>{Bytes(f.BytesSavedBy304)}</td>
                <td class="actions"><a class="edit" href="/manage-feeds/{Uri.EscapeDataString(f.Id)}/edit{code}" aria-label="Edit {Encode(name)}">Edit</a> {Action(f, "retry", "Retry", name, code)}{(f.Status == FeedStatus.Paused ? Action(f, "resume", "Resume", name, code) : Action(f, "pause", "Pause", name, code))}{Action(f, "delete", "Delete", name, code)}</td>
                </tr>
                """);
        }
        html.Append("</tbody></table></section>");
        return Render(site.Value.Name, "Feeds", html.ToString());
    }

    public async Task<IResult> AddAsync(HttpRequest request)
    {
        var form = await RequestBody.ReadFormAsync(request, RequestBody.MaxDocumentBytes);
        var url = form["url"].ToString();
        if (string.IsNullOrWhiteSpace(url))
            return Back(request, error: "Enter a feed or web page URL.");
        var result = await service.AddAsync(url, null, form["tags"], ItemIdentity.Auto, request.HttpContext.RequestAborted);
        return result.Outcome switch
        {
            AddOutcome.Added => Back(request, notice: $"Added {Name(result.Feed!)}" + (result.DiscoveredFrom is not null ? $" (found on {result.DiscoveredFrom})." : ".")),
            AddOutcome.Duplicate => Back(request, error: $"Already registered: {(result.Feed is null ? url : Name(result.Feed))}."),
            _ => Back(request, error: $"Not added: {result.Problem}"),
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
        var code = Code(request);
        var html = new StringBuilder(Style);
        html.Append($"""
            <h1>OPML import</h1>
            <p class="notice" role="status">{results.Count(r => r.Result == "added")} added, {results.Count(r => r.Result == "duplicate")} duplicate, {results.Count(r => r.Result == "invalid")} invalid.</p>
            <p><a href="/{Routes.AdminPage}{code}">Back to feeds</a></p>
            <table id="import-results"><thead><tr><th scope="col">Feed</th><th scope="col">URL</th><th scope="col">Result</th><th scope="col">Reason</th></tr></thead><tbody>
            """);
        foreach (var r in results)
            html.Append($"<tr><td>{Encode(r.Title)}</td><td class=\"url\">{Encode(r.Url)}</td><td>{Encode(r.Result)}</td><td>{Encode(r.Reason)}</td></tr>");
        html.Append("</tbody></table>");
        return Render(site.Value.Name, "OPML import", html.ToString());
    }

    public async Task<IResult> RetryErroredAsync(HttpRequest request)
    {
        var retried = await service.RetryErroredAsync(request.HttpContext.RequestAborted);
        return Back(request, notice: $"Retrying {retried.Count} errored feed(s).");
    }

    /// <summary>POST <c>/manage-feeds/{id}/{verb}</c> with verb edit (the edit form), retry, pause, resume or delete.</summary>
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
                return await service.DeleteAsync(id, cancellationToken) ? Back(request, notice: "Feed deleted; its articles are kept for the retention period.") : Back(request, error: "No such feed.");
            default:
                return Render(site.Value.Name, "Not found", "<h1>Not found</h1>", StatusCodes.Status404NotFound);
        }
    }

    /// <summary>GET <c>/manage-feeds/{id}/edit</c>: title, tags and item identity, plus pause/resume and delete.</summary>
    public async Task<IResult> EditAsync(HttpRequest request, string id)
    {
        var feed = await service.GetAsync(id, request.HttpContext.RequestAborted);
        if (feed is null)
            return Render(site.Value.Name, "Not found", $"""<h1>No such feed</h1><p><a href="/{Routes.AdminPage}{Code(request)}">Back to feeds</a></p>""", StatusCodes.Status404NotFound);
        var code = Code(request);
        var name = Name(feed);
        var action = $"/manage-feeds/{Uri.EscapeDataString(feed.Id)}";
        var html = new StringBuilder(Style);
        html.Append($"""
            <h1>Edit {Encode(name)}</h1>
            <p><a href="/{Routes.AdminPage}{code}">Back to feeds</a></p>
            <dl class="facts"><dt>URL</dt><dd>{Encode(feed.Url)}</dd><dt>Status</dt><dd>{Encode(feed.Status.ToString())}</dd></dl>
            <form method="post" action="{action}/edit{code}">
            <label for="title">Title</label>
            <input type="text" id="title" name="title" value="{Encode(feed.Title)}" aria-describedby="title-hint">
            <p class="hint" id="title-hint">Empty shows the feed's URL.</p>
            <label for="tags">Tags</label>
            <input type="text" id="tags" name="tags" value="{Encode(feed.Tags)}" aria-describedby="tags-hint">
            <p class="hint" id="tags-hint">Comma-separated; empty removes every tag.</p>
            <fieldset>
            <legend>Item identity</legend>
            """);
        foreach (var (value, hint) in IdentityChoices)
        {
            var key = value.ToString().ToLowerInvariant();
            html.Append($"""
                <div><input type="radio" id="identity-{key}" name="identity" value="{value}" aria-describedby="identity-{key}-hint"{(feed.Identity == value ? " checked" : "")}>
                <label for="identity-{key}">{value}</label>
                <p class="hint" id="identity-{key}-hint">{Encode(hint)}</p></div>
                """);
        }
        html.Append("""
            </fieldset>
            <fieldset>
            <legend>Full text</legend>
            """);
        foreach (var (value, label, hint) in FullTextChoices)
        {
            var key = value.ToString().ToLowerInvariant();
            html.Append($"""
                <div><input type="radio" id="fulltext-{key}" name="fulltext" value="{value}" aria-describedby="fulltext-{key}-hint"{(feed.FullText == value ? " checked" : "")}>
                <label for="fulltext-{key}">{label}</label>
                <p class="hint" id="fulltext-{key}-hint">{Encode(hint)}</p></div>
                """);
        }
        html.Append($"""
            </fieldset>
            <button type="submit">Save changes</button>
            </form>
            <section aria-labelledby="state-heading">
            <h2 id="state-heading">Polling</h2>
            {(feed.Status == FeedStatus.Paused ? Action(feed, "resume", "Resume", name, code) : Action(feed, "pause", "Pause", name, code))}
            {Action(feed, "delete", "Delete", name, code)}
            <p class="hint">Deleting stops polling at once; the feed's articles are purged after the retention period.</p>
            </section>
            """);
        return Render(site.Value.Name, $"Edit {name}", html.ToString());
    }

    /// <summary>
    /// GET shows the form; POST fetches and parses the URL (or the feed a page links to) and shows the items and
    /// problems. Nothing is stored, so rendering the POST's answer directly (no redirect) is safe to resubmit.
    /// </summary>
    public async Task<IResult> TestAsync(HttpRequest request)
    {
        var code = Code(request);
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
        var html = new StringBuilder(Style);
        html.Append($"""
            <h1>Test a feed</h1>
            <p><a href="/{Routes.AdminPage}{code}">Back to feeds</a></p>
            {(error is not null ? $"""<p class="error" role="alert">{Encode(error)}</p>""" : "")}
            <form method="post" action="/{Routes.AdminPageTest}{code}">
            <label for="url">Feed or web page URL</label>
            <input type="text" id="url" name="url" inputmode="url" required value="{Encode(url)}" aria-describedby="url-hint">
            <p class="hint" id="url-hint">Fetched and parsed once; nothing is saved.</p>
            <button type="submit">Test feed</button>
            </form>
            """);
        if (report is not null)
            AppendReport(html, report);
        return Render(site.Value.Name, "Test a feed", html.ToString());
    }

    private static void AppendReport(StringBuilder html, FeedTestReport report)
    {
        html.Append($"""
            <section aria-labelledby="result-heading">
            <h2 id="result-heading">Result for {Encode(report.Url)}</h2>
            <p role="status">{report.Items.Count} item(s), {report.Problems.Count} problem(s).</p>
            <dl class="facts" id="test-facts">
            <dt>Feed URL</dt><dd>{Encode(report.Url)}</dd>
            {(report.DiscoveredFrom is { } from ? $"<dt>Found on</dt><dd>{Encode(from)}</dd>" : "")}
            <dt>HTTP status</dt><dd>{report.Status?.ToString(CultureInfo.InvariantCulture)}</dd>
            <dt>Content type</dt><dd>{Encode(report.ContentType)}</dd>
            <dt>Response time</dt><dd>{report.ElapsedMs} ms</dd>
            <dt>Title</dt><dd>{Encode(report.Title)}</dd>
            <dt>Site</dt><dd>{Encode(report.SiteUrl)}</dd>
            {(report.DeclaredInterval is { } interval ? $"<dt>Declared update interval</dt><dd>{Encode(interval.ToString())}</dd>" : "")}
            </dl>
            <h3 id="problems-heading">Problems</h3>
            """);
        if (report.Problems.Count == 0)
            html.Append("""<p id="problems">None found.</p>""");
        else
        {
            html.Append("""<ul id="problems" aria-labelledby="problems-heading">""");
            foreach (var problem in report.Problems)
                html.Append($"<li>{Encode(problem)}</li>");
            html.Append("</ul>");
        }
        html.Append($"""
            <table id="test-items">
            <caption>Items as they would be stored. Times in UTC.</caption>
            <thead><tr><th scope="col">Title</th><th scope="col">Published</th><th scope="col">Guid</th><th scope="col">Summary</th></tr></thead>
            <tbody>
            """);
        foreach (var item in report.Items)
        {
            // Feed content is untrusted: every field is encoded, and only http(s) links become links.
            var title = item.Title.Length > 0 ? item.Title : "(untitled)";
            var cell = item.Link is { } link && IsWebLink(link) ? $"""<a href="{Encode(link)}">{Encode(title)}</a>""" : Encode(title);
            html.Append($"""<tr><td>{cell}</td><td>{Time(item.PublishedAt)}</td><td class="url">{Encode(item.Guid)}</td><td>{Encode(item.Summary)}</td></tr>""");
        }
        html.Append("</tbody></table></section>");
    }

    private static readonly (FullTextMode Value, string Label, string Hint)[] FullTextChoices =
    [
        (FullTextMode.Off, "Off", "Match on what the feed carries. Right for feeds with whole articles."),
        (FullTextMode.On, "On", "Fetch each new item's page once and match on its article text: for summary-only feeds."),
        (FullTextMode.Auto, "Automatic", $"Fetch the page only of items that carry fewer than {ArticleFullText.AutoWordThreshold} words."),
    ];

    private static readonly (ItemIdentity Value, string Hint)[] IdentityChoices =
    [
        (ItemIdentity.Auto, "Guid, else link, else a hash of the content. Right for most feeds."),
        (ItemIdentity.Link, "Link first: for feeds whose guids change on every fetch."),
        (ItemIdentity.Content, "Hash of title, link and summary: for feeds whose guids and links both repeat."),
    ];

    private static bool IsWebLink(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    public async Task<IResult> StatsAsync(HttpRequest request)
    {
        var days = int.TryParse(request.Query["days"], out var d) ? d : 7;
        var value = await stats.ComputeAsync(days, request.HttpContext.RequestAborted);
        var html = new StringBuilder(Style);
        var code = Code(request);
        // A GET form so the period works without JavaScript; the key rides along as a hidden field.
        var key = request.Query["code"].FirstOrDefault() is { Length: > 0 } k ? $"""<input type="hidden" name="code" value="{Encode(k)}">""" : "";
        html.Append($"""
            <h1>Matches per day</h1>
            <p><a href="/{Routes.AdminPage}{code}">Back to feeds</a></p>
            <form method="get" action="/{Routes.AdminPageStats}">{key}
            <label for="days">Days</label>
            <input type="number" id="days" name="days" min="1" max="90" value="{value.Days}">
            <button type="submit" class="secondary">Show</button>
            </form>
            """);
        foreach (var (heading, id, rows) in new[] { ("Feeds", "feed-stats", value.Feeds), ("Queries", "query-stats", value.Subscriptions) })
        {
            var caption = id == "feed-stats" ? "Matches per feed; feeds that never match are candidates to prune." : "Matches per query; the top rows are the noisiest.";
            html.Append($"""<section aria-labelledby="{id}-heading"><h2 id="{id}-heading">{heading}</h2><table id="{id}"><caption>{caption} Days in UTC.</caption><thead><tr><th scope="col">{(id == "feed-stats" ? "Feed" : "Query")}</th><th scope="col">Total</th>""");
            foreach (var date in value.Dates)
                html.Append($"<th scope=\"col\">{Encode(date[5..])}</th>");
            html.Append("</tr></thead><tbody>");
            foreach (var row in rows)
            {
                html.Append($"<tr><th scope=\"row\">{Encode(row.Label)}</th><td>{row.Total}</td>");
                foreach (var date in value.Dates)
                    html.Append($"<td>{row.PerDay.GetValueOrDefault(date)}</td>");
                html.Append("</tr>");
            }
            html.Append("</tbody></table></section>");
        }
        return Render(site.Value.Name, "Matches per day", html.ToString());
    }

    /// <summary>The 401 page AdminKey answers on these pages without the key.</summary>
    public IResult KeyRequired() =>
        Render(site.Value.Name, "Admin key required", "<h1>Admin key required</h1><p>These pages need the admin key (<code>?code=</code>).</p>", StatusCodes.Status401Unauthorized);

    /// <summary>"?code=…" when the request carried the key in the query, so links and forms keep working.</summary>
    private static string Code(HttpRequest request) =>
        request.Query["code"].FirstOrDefault() is { Length: > 0 } code ? "?code=" + Encode(Uri.EscapeDataString(code)) : "?";

    private static IResult Back(HttpRequest request, string? notice = null, string? error = null)
    {
        var query = new List<string>();
        if (request.Query["code"].FirstOrDefault() is { Length: > 0 } code)
            query.Add("code=" + Uri.EscapeDataString(code));
        if (notice is not null)
            query.Add("notice=" + Uri.EscapeDataString(notice));
        if (error is not null)
            query.Add("error=" + Uri.EscapeDataString(error));
        return Results.Redirect($"/{Routes.AdminPage}?{string.Join("&", query)}");
    }

    private static string Action(Feed f, string verb, string label, string name, string code) =>
        $"""<form method="post" action="/manage-feeds/{Uri.EscapeDataString(f.Id)}/{verb}{code}"><button type="submit" class="secondary" aria-label="{Encode(label)} {Encode(name)}">{Encode(label)}</button></form>""";

    private static string Name(Feed f) => f.Title.Length > 0 ? f.Title : f.Url;

    private static string Time(DateTimeOffset? t) => t is { } value ? Encode(value.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)) : "";

    private static string Bytes(long bytes) => bytes switch
    {
        >= 1 << 20 => (bytes / 1048576.0).ToString("0.#", CultureInfo.InvariantCulture) + " MB",
        >= 1 << 10 => (bytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " KB",
        _ => bytes + " B",
    };
}
