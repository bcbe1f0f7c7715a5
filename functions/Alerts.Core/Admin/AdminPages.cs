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
/// <c>?code=</c>, which is also what the Functions host accepts for AuthorizationLevel.Admin routes.
/// </summary>
public sealed class AdminPages(FeedAdminService service, FeedStats stats, IOptions<AdminOptions> admin, IOptions<SiteOptions> site, TimeProvider time)
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
          td.actions button { margin: 0 .25rem .25rem 0; padding: .2rem .5rem; font-size: .85rem; }
          td.url { word-break: break-all; max-width: 22rem; }
          .filters a[aria-current] { font-weight: 700; }
        </style>
        """;

    public async Task<IResult> FeedsAsync(HttpRequest request)
    {
        if (Refused(request) is { } refused)
            return refused;
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
            <a href="/{Routes.AdminPageStats}{code}">Matches per feed and query</a></p>
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
                <td>{(f.LastErrorKind is { } kind ? $"{Encode(kind.ToString())}: {Encode(f.LastError)}" : "")}</td>
                <td>{f.ConsecutiveFailures}</td>
                <td>{(f.Status == FeedStatus.Active ? Time(f.NextCheckAt) : "")}</td>
                <td>{f.ItemsPerDay(now).ToString("0.#", CultureInfo.InvariantCulture)}</td>
                <td>{Time(f.LastNewItemAt)}</td>
                <td>{(f.LastResponseMs is { } ms ? $"{ms} ms" : "")}</td>
                <td>{Bytes(f.BytesSavedBy304)}</td>
                <td class="actions">{Action(f, "retry", "Retry", name, code)}{(f.Status == FeedStatus.Paused ? Action(f, "resume", "Resume", name, code) : Action(f, "pause", "Pause", name, code))}{Action(f, "delete", "Delete", name, code)}</td>
                </tr>
                """);
        }
        html.Append("</tbody></table></section>");
        return Render(site.Value.Name, "Feeds", html.ToString());
    }

    public async Task<IResult> AddAsync(HttpRequest request)
    {
        if (Refused(request) is { } refused)
            return refused;
        var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
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
        if (Refused(request) is { } refused)
            return refused;
        var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
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
        if (Refused(request) is { } refused)
            return refused;
        var retried = await service.RetryErroredAsync(request.HttpContext.RequestAborted);
        return Back(request, notice: $"Retrying {retried.Count} errored feed(s).");
    }

    /// <summary>POST <c>/manage-feeds/{id}/{verb}</c> with verb retry, pause, resume or delete.</summary>
    public async Task<IResult> FeedActionAsync(HttpRequest request, string id, string verb)
    {
        if (Refused(request) is { } refused)
            return refused;
        var cancellationToken = request.HttpContext.RequestAborted;
        switch (verb)
        {
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

    public async Task<IResult> StatsAsync(HttpRequest request)
    {
        if (Refused(request) is { } refused)
            return refused;
        var days = int.TryParse(request.Query["days"], out var d) ? d : 7;
        var value = await stats.ComputeAsync(days, request.HttpContext.RequestAborted);
        var html = new StringBuilder(Style);
        html.Append($"""<h1>Matches per day</h1><p><a href="/{Routes.AdminPage}{Code(request)}">Back to feeds</a></p>""");
        foreach (var (heading, id, rows) in new[] { ("Feeds", "feed-stats", value.Feeds), ("Queries", "query-stats", value.Subscriptions) })
        {
            html.Append($"""<section><h2>{heading}</h2><table id="{id}"><thead><tr><th scope="col">{(id == "feed-stats" ? "Feed" : "Query")}</th><th scope="col">Total</th>""");
            foreach (var date in value.Dates)
                html.Append($"<th scope=\"col\">{Encode(date[5..])}</th>");
            html.Append("</tr></thead><tbody>");
            foreach (var row in rows)
            {
                html.Append($"<tr><td>{Encode(row.Label)}</td><td>{row.Total}</td>");
                foreach (var date in value.Dates)
                    html.Append($"<td>{row.PerDay.GetValueOrDefault(date)}</td>");
                html.Append("</tr>");
            }
            html.Append("</tbody></table></section>");
        }
        return Render(site.Value.Name, "Matches per day", html.ToString());
    }

    private IResult? Refused(HttpRequest request) =>
        FeedAdminEndpoints.IsAuthorized(request, admin.Value)
            ? null
            : Render(site.Value.Name, "Admin key required", "<h1>Admin key required</h1><p>These pages need the admin key (<code>?code=</code>).</p>", StatusCodes.Status401Unauthorized);

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
