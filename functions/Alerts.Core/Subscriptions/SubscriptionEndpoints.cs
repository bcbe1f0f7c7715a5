using System.Text.Json;
using Alerts.Core.Matching;
using Alerts.Core.Storage;
using Alerts.Core.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static Alerts.Core.Web.HtmlPage;

namespace Alerts.Core.Subscriptions;

/// <summary>
/// The subscriber-facing HTTP surface: the JSON API and the pages. Both hosts (Functions and the local host)
/// call these methods with ASP.NET Core's <see cref="HttpRequest"/>.
/// </summary>
public sealed class SubscriptionEndpoints(
    SubscribeHandler handler,
    SubscriptionLinks links,
    QueryPreview preview,
    SubscribeRateLimiter limiter,
    AlertsStorage storage,
    IOptions<SiteOptions> site,
    ILogger<SubscriptionEndpoints> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private const string PendingMessage =
        "If this address can receive alerts, a confirmation email is on its way. Open the link in it to start your alerts.";

    private string SiteName => site.Value.Name;

    /// <summary><c>POST /api/subscriptions</c>: JSON in, 202 or a problem+json 400 naming the fields.</summary>
    public async Task<IResult> PostAsync(HttpRequest request)
    {
        SubscribeRequest? body;
        try
        {
            body = await RequestBody.ReadJsonAsync<SubscribeRequest>(request, Json);
        }
        catch (JsonException ex)
        {
            return Results.ValidationProblem(
                new Dictionary<string, string[]> { ["body"] = [$"The body is not valid JSON: {ex.Message}"] },
                title: "The request body could not be read.");
        }
        if (body is null)
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["A JSON object is required."] });

        var errors = body.Validate();
        if (errors.Count > 0)
            return Results.ValidationProblem(errors, title: "The subscription request is not valid.");
        if (await limiter.CheckClientAsync(request, request.HttpContext.RequestAborted) is { } retryAfter)
        {
            request.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Problem(title: "Too many subscription requests.",
                detail: "This network has sent too many subscription requests; try again later.", statusCode: StatusCodes.Status429TooManyRequests);
        }

        if (await TrySubscribeAsync(body, request.HttpContext.RequestAborted) is { } failure)
            return failure;
        return Results.Json(new { status = "pending", message = PendingMessage }, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>
    /// <c>GET /subscribe</c> shows the form; <c>POST /subscribe</c> subscribes, or with <c>action=preview</c> shows what
    /// the query would have matched (the no-JavaScript path of the live preview) and keeps the form filled in.
    /// </summary>
    public async Task<IResult> SubscribePageAsync(HttpRequest request)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        if (!HttpMethods.IsPost(request.Method))
            return SubscribePage(new SubscribeRequest(null, request.Query["q"], "daily"), [], "");

        var form = await RequestBody.ReadFormAsync(request);
        var body = SubscriptionForm.Read(form, form["email"]);
        if (form["action"] == "preview")
        {
            if (await limiter.CheckPreviewAsync(request, cancellationToken) is not null)
                return SubscribePage(body, [], "<p class=\"error\" role=\"alert\">Too many previews; wait a minute and try again.</p>", StatusCodes.Status429TooManyRequests);
            var queryErrors = body.Validate().Where(e => e.Key is "query" or "sites").ToDictionary();
            if (queryErrors.Count > 0)
                return SubscribePage(body, queryErrors, "", StatusCodes.Status400BadRequest);
            var result = await preview.RunAsync(body.Query!.Trim(), NormalizedSites(body.Sites), cancellationToken);
            return SubscribePage(body, [], PreviewHtml(result));
        }

        var errors = body.Validate();
        if (errors.Count > 0)
            return SubscribePage(body, errors, "", StatusCodes.Status400BadRequest);
        if (await limiter.CheckClientAsync(request, request.HttpContext.RequestAborted) is { } retryAfter)
        {
            request.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return SubscribePage(body, [], $"<p class=\"error\" role=\"alert\">Too many subscription requests from your network. Try again in {Math.Ceiling(retryAfter.TotalMinutes)} minutes.</p>", StatusCodes.Status429TooManyRequests);
        }
        if (await TrySubscribeAsync(body, cancellationToken) is not null)
            return SubscribePage(body, [],
                "<p class=\"error\" role=\"alert\">We could not take your request just now. Please try again in a few minutes.</p>",
                StatusCodes.Status503ServiceUnavailable);
        return Render(SiteName, "Check your email",
            $"<h1>Check your email</h1><p class=\"notice\" role=\"status\">{Encode(PendingMessage)}</p>");
    }

    /// <summary>
    /// <c>GET /api/subscriptions/preview?q=&amp;sites=</c>: what the query would have matched in the last 7 days.
    /// A query that does not parse is a problem+json 400 with the parser's message and <c>position</c>.
    /// </summary>
    public async Task<IResult> PreviewAsync(HttpRequest request)
    {
        if (await limiter.CheckPreviewAsync(request, request.HttpContext.RequestAborted) is { } wait)
        {
            request.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Problem(title: "Too many previews.", detail: "Slow down a little and try again.", statusCode: StatusCodes.Status429TooManyRequests);
        }
        string query = request.Query["q"].ToString();
        var sites = SubscribeRequest.SplitSites(string.Join(',', request.Query["sites"].ToArray()));
        if (string.IsNullOrWhiteSpace(query))
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["q"] = ["A query is required, e.g. ?q=DACA."] },
                title: "The query is missing.");
        if (query.Length > SubscribeRequest.MaxQueryLength)
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["q"] = [$"The query is {query.Length} characters long; the limit is {SubscribeRequest.MaxQueryLength}."] },
                title: "The query is not valid.", extensions: new Dictionary<string, object?> { ["position"] = SubscribeRequest.MaxQueryLength });
        if (QueryParser.TryParse(query, out var error) is null)
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["q"] = [error!.Message] },
                title: "The query is not valid.", detail: error.Message,
                extensions: new Dictionary<string, object?> { ["position"] = error.Position });
        if (new SubscribeRequest(null, null, null, Sites: sites).Validate().TryGetValue("sites", out var siteErrors))
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["sites"] = siteErrors }, title: "The sites are not valid.");

        var result = await preview.RunAsync(query.Trim(), NormalizedSites(sites), request.HttpContext.RequestAborted);
        return Results.Json(result, Json);
    }

    /// <summary>
    /// <c>GET /confirm?token=</c> shows a button; the <c>POST</c> confirms. Link scanners prefetch GETs, so a GET
    /// never changes anything.
    /// </summary>
    public async Task<IResult> ConfirmAsync(HttpRequest request)
    {
        var token = await TokenFromAsync(request);
        if (!HttpMethods.IsPost(request.Method))
        {
            var pending = await handler.FindPendingAsync(token, request.HttpContext.RequestAborted);
            if (pending is null)
                return InvalidLink("confirm");
            return Render(SiteName, "Confirm your alert", $"""
                <h1>Confirm your alert</h1>
                <p>Send <strong>{Encode(pending.Frequency.ToString().ToLowerInvariant())}</strong> alerts for
                <code>{Encode(pending.Query)}</code> to <strong>{Encode(pending.Email)}</strong>?</p>
                <form method="post" action="/{Routes.Confirm}">
                  <input type="hidden" name="token" value="{Encode(token)}">
                  <button type="submit">Confirm subscription</button>
                </form>
                """);
        }

        var confirmed = await handler.ConfirmAsync(token, request.HttpContext.RequestAborted);
        if (confirmed is null)
            return InvalidLink("confirm");
        return Render(SiteName, "Subscription confirmed", $"""
            <h1>You're subscribed</h1>
            <p class="notice" role="status">Alerts for <code>{Encode(confirmed.Query)}</code> will go to
            <strong>{Encode(confirmed.Email)}</strong> ({Encode(confirmed.Frequency.ToString().ToLowerInvariant())}).
            Every email has a link to unsubscribe.</p>
            <p><a href="{Encode(links.Manage(confirmed.Id))}">Manage your alerts</a> (change the time, pause, add sites; the same link is in every email)</p>
            """);
    }

    /// <summary>
    /// RFC 8058: <c>GET</c> shows a page with a button; <c>POST</c> (one-click from the mail client, or the button)
    /// unsubscribes with no cookies and no redirect.
    /// </summary>
    public async Task<IResult> UnsubscribeAsync(HttpRequest request)
    {
        var token = await TokenFromAsync(request);
        if (!HttpMethods.IsPost(request.Method))
        {
            var subscription = await handler.FindAsync(token, TokenPurpose.Unsubscribe, request.HttpContext.RequestAborted);
            if (subscription is null)
                return InvalidLink("unsubscribe");
            return Render(SiteName, "Unsubscribe", $"""
                <h1>Unsubscribe</h1>
                <p>Stop alerts for <code>{Encode(subscription.Query)}</code> to <strong>{Encode(subscription.Email)}</strong>?</p>
                <form method="post" action="/{Routes.Unsubscribe}">
                  <input type="hidden" name="token" value="{Encode(token)}">
                  <button type="submit">Unsubscribe</button>
                </form>
                <form method="post" action="/{Routes.Unsubscribe}">
                  <input type="hidden" name="token" value="{Encode(token)}">
                  <input type="hidden" name="scope" value="all">
                  <button type="submit" class="secondary">Unsubscribe from all alerts to this address</button>
                </form>
                """);
        }

        var done = await handler.UnsubscribeAsync(token, request.HttpContext.RequestAborted);
        if (done is null)
            return InvalidLink("unsubscribe");
        // The one-click POST from a mail client carries only "List-Unsubscribe=One-Click": it stops this one alert.
        var all = request.HasFormContentType && (await RequestBody.ReadFormAsync(request))["scope"] == "all";
        if (all)
            await handler.UnsubscribeAllAsync(done.Email, request.HttpContext.RequestAborted);
        var what = all ? "No more alerts" : $"No more alerts for <code>{Encode(done.Query)}</code>";
        return Render(SiteName, "Unsubscribed", $"""
            <h1>You're unsubscribed</h1>
            <p class="notice" role="status">{what} will go to
            <strong>{Encode(done.Email)}</strong>.</p>
            <p><a href="{Encode(links.Manage(done.Id))}">Manage your other alerts</a> · <a href="/{Routes.SubscribePage}">Subscribe to something else</a></p>
            """);
    }

    /// <summary>
    /// Queues the request and returns: whether the address exists, is over its limit or gets an email is decided by
    /// <see cref="SubscribeHandler.SubscribeAsync"/> after the answer was sent, so every valid request gets the same
    /// answer in the same time (one queue write). Null when queued; a 503 when storage is unreachable.
    /// </summary>
    private async Task<IResult?> TrySubscribeAsync(SubscribeRequest body, CancellationToken cancellationToken)
    {
        try
        {
            await storage.Queue(QueueNames.SubscribeRequest).SendAsync(body, cancellationToken);
            return null;
        }
        catch (Azure.RequestFailedException ex)
        {
            logger.LogError(ex, "Could not queue the subscribe request");
            return Results.Problem(
                title: "The request could not be taken just now.",
                detail: "Nothing was stored: send the same request again in a few minutes.",
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    /// <summary>The token from the query string, or from the form body of a POST (the one-click POST keeps it in the URL).</summary>
    private static async Task<string?> TokenFromAsync(HttpRequest request)
    {
        if (request.Query["token"] is { Count: > 0 } fromQuery)
            return fromQuery.ToString();
        if (HttpMethods.IsPost(request.Method) && request.HasFormContentType)
            return (await RequestBody.ReadFormAsync(request))["token"].ToString();
        return null;
    }

    private IResult InvalidLink(string action) => Render(SiteName, "Link not valid", $"""
        <h1>This link is not valid</h1>
        <p class="error" role="alert">The {action} link is incomplete, has expired, or was changed.
        Open the link from the most recent email, or <a href="/{Routes.SubscribePage}">subscribe again</a>.</p>
        """, StatusCodes.Status400BadRequest);

    private static string[]? NormalizedSites(string[]? sites) =>
        sites is { Length: > 0 } ? sites.Select(x => SubscribeRequest.NormalizeSite(x)!).Distinct(StringComparer.Ordinal).ToArray() : null;

    private IResult SubscribePage(SubscribeRequest values, Dictionary<string, string[]> errors, string previewHtml, int status = StatusCodes.Status200OK) =>
        Render(SiteName, "Subscribe", SubscribeForm(values, errors, previewHtml), status, StaticScripts.Subscribe);

    /// <summary>The preview as server-rendered HTML; the script renders the same structure from the JSON.</summary>
    private static string PreviewHtml(PreviewResult result)
    {
        var items = string.Concat(result.Articles.Select(a =>
        {
            var title = Encode(string.IsNullOrWhiteSpace(a.Title) ? "(untitled)" : a.Title);
            var heading = a.Link is null ? title : $"<a href=\"{Encode(a.Link)}\" rel=\"noopener noreferrer\">{title}</a>";
            var also = a.AlsoIn > 0 ? $" · also in {a.AlsoIn} more" : "";
            return $"<li>{heading}<br><span class=\"meta\">{Encode(a.FeedTitle)} · {a.PublishedAt:yyyy-MM-dd HH:mm} UTC{also}</span></li>";
        }));
        var summary = result.Count == 0
            ? "No stored article from the last 7 days matches this query. New articles will still be checked as they arrive."
            : $"{result.Count} stor{(result.Count == 1 ? "y" : "ies")} in the last 7 days would have matched"
              + (result.Count > result.Articles.Count ? $"; the newest {result.Articles.Count}:" : ":");
        if (!result.Complete)
            summary = $"Searched the newest {result.Scanned} articles only. " + summary;
        return $"<h2>Preview</h2><p>{Encode(summary)}</p>" + (items.Length > 0 ? $"<ol>{items}</ol>" : "");
    }

    private static string SubscribeForm(SubscribeRequest values, Dictionary<string, string[]> errors, string previewHtml) => $"""
        <h1>Get news alerts</h1>
        <p>We email you when new articles in our feeds match your query: as they appear, or in an hourly, daily or weekly digest.
        Matches from the last 7 days show below the query as you type (or with <em>Preview matches</em>).</p>
        <form method="post" action="/{Routes.SubscribePage}" novalidate>
          <label for="email">Email address</label>
          <input id="email" name="email" type="email" autocomplete="email" required value="{Encode(values.Email)}"{SubscriptionForm.Described("email", errors)}>
          {SubscriptionForm.ErrorFor("email", errors)}
          {SubscriptionForm.QueryField(values, errors)}
          <section id="preview" class="preview" aria-live="polite" aria-label="Preview">{previewHtml}</section>
          {SubscriptionForm.SettingsFields(values, errors)}
          <div class="actions">
            <button type="submit" name="action" value="subscribe">Subscribe</button>
            <button type="submit" name="action" value="preview" class="secondary">Preview matches</button>
          </div>
        </form>
        {SubscriptionForm.TimeZoneList()}
        """;
}
