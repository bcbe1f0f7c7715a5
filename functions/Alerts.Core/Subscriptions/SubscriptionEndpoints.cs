using System.Text.Json;
using Alerts.Core.Matching;
using Alerts.Core.Storage;
using Alerts.Core.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Alerts.Core.Subscriptions.Pages;

namespace Alerts.Core.Subscriptions;

/// <summary>
/// The subscriber-facing HTTP surface: the JSON API and the pages. Both hosts (Functions and the local host)
/// call these methods with ASP.NET Core's <see cref="HttpRequest"/>.
/// </summary>
public sealed class SubscriptionEndpoints(
    SubscribeHandler handler,
    SubscriptionLinks links,
    QueryPreview preview,
    ArticleExplainer explainer,
    TimeProvider time,
    SubscriptionStore store,
    SubscribeRateLimiter limiter,
    AlertsStorage storage,
    IOptions<SiteOptions> site,
    ILogger<SubscriptionEndpoints> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    internal const string PendingMessage =
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

        var validation = body.Validate();
        if (!validation.IsValid)
            return Results.ValidationProblem(validation.Errors, title: "The subscription request is not valid.");
        if (await limiter.CheckClientAsync(request, request.HttpContext.RequestAborted) is { } retryAfter)
        {
            RetryAfterHeader.Set(request, retryAfter);
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
            return SubscribePage(new SubscribeRequest(null, request.Query["q"], "daily"), null);

        var form = await RequestBody.ReadFormAsync(request);
        var body = SubscriptionForm.Read(form, form["email"]);
        if (form["action"] == "preview")
        {
            if (await limiter.CheckPreviewAsync(request, cancellationToken) is not null)
                return SubscribePage(body, null, message: "Too many previews; wait a minute and try again.", status: StatusCodes.Status429TooManyRequests);
            var checkedQuery = body.Validate().ForQuery();
            if (!checkedQuery.IsValid)
                return SubscribePage(body, checkedQuery, status: StatusCodes.Status400BadRequest);
            var result = await preview.RunAsync(checkedQuery.Query!, NormalizedSites(body.Sites), cancellationToken);
            return SubscribePage(body, null, result);
        }

        if (form["action"] == "explain")
        {
            var article = new ArticleTest(form["articleUrl"], form["articleText"], null);
            if (await limiter.CheckPreviewAsync(request, cancellationToken) is not null)
                return SubscribePage(body, null, article: article with { Explanation = ArticleExplanation.Failed("Too many tests; wait a minute and try again.") },
                    status: StatusCodes.Status429TooManyRequests);
            var checkedQuery = body.Validate().ForQuery();
            if (!checkedQuery.IsValid)
                return SubscribePage(body, checkedQuery, article: article, status: StatusCodes.Status400BadRequest);
            var explanation = await explainer.ExplainAsync(checkedQuery.Query!, NormalizedSites(body.Sites), article.Url, article.Text, cancellationToken);
            return SubscribePage(body, null, article: article with { Explanation = explanation },
                status: explanation.Problem is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
        }

        var validation = body.Validate();
        if (!validation.IsValid)
            return SubscribePage(body, validation, status: StatusCodes.Status400BadRequest);
        if (await limiter.CheckClientAsync(request, request.HttpContext.RequestAborted) is { } retryAfter)
        {
            RetryAfterHeader.Set(request, retryAfter);
            return SubscribePage(body, null, message: $"Too many subscription requests from your network. Try again in {Math.Ceiling(retryAfter.TotalMinutes)} minutes.",
                status: StatusCodes.Status429TooManyRequests);
        }
        if (await TrySubscribeAsync(body, cancellationToken) is not null)
            return SubscribePage(body, null, message: "We could not take your request just now. Please try again in a few minutes.",
                status: StatusCodes.Status503ServiceUnavailable);
        return ComponentPage.For<CheckEmailPage>(new CheckEmailPageModel(SiteName, PendingMessage));
    }

    /// <summary>
    /// <c>POST /subscribe/manage-link</c>: "email me a link to my alerts". Every valid address gets the same page in the
    /// same time (two limiter checks and one queue write); whether it has alerts is decided by
    /// <see cref="ManageLinkSender"/> after the answer. 400 for an address that is not one, 429 when this network or
    /// this address has asked too often (counted for every address alike, so a refusal reveals nothing either).
    /// </summary>
    public async Task<IResult> ManageLinkAsync(HttpRequest request)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var email = request.HasFormContentType ? (await RequestBody.ReadFormAsync(request))["email"].ToString().Trim() : "";
        if (email.Length == 0 || !EmailAddress.IsValid(email))
            return ComponentPage.For<ManageLinkPage>(new ManageLinkPageModel(SiteName, email,
                email.Length == 0 ? "Enter the email address you subscribed with." : "This is not a valid email address."), StatusCodes.Status400BadRequest);
        if (await limiter.CheckClientAsync(request, cancellationToken) is { } clientWait)
            return TooManyManageLinkRequests(request, email, clientWait, "Too many requests from your network.");
        if (await limiter.CheckManageLinkAddressAsync(email, cancellationToken) is { } addressWait)
            return TooManyManageLinkRequests(request, email, addressWait, "A link for this address was asked for too often today.");
        try
        {
            await storage.Queue(QueueNames.ManageLinkRequest).SendAsync(new ManageLinkRequest(email), cancellationToken);
        }
        catch (Azure.RequestFailedException ex)
        {
            logger.LogError(ex, "Could not queue the manage link request");
            return ComponentPage.For<ManageLinkPage>(new ManageLinkPageModel(SiteName, email,
                "We could not take your request just now. Please try again in a few minutes."), StatusCodes.Status503ServiceUnavailable);
        }
        return ComponentPage.For<ManageLinkPage>(new ManageLinkPageModel(SiteName, email, Sent: true));
    }

    private IResult TooManyManageLinkRequests(HttpRequest request, string email, TimeSpan retryAfter, string why)
    {
        request.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var wait = retryAfter.TotalHours >= 1 ? $"{Math.Ceiling(retryAfter.TotalHours)} hours" : $"{Math.Ceiling(retryAfter.TotalMinutes)} minutes";
        return ComponentPage.For<ManageLinkPage>(new ManageLinkPageModel(SiteName, email, $"{why} Try again in {wait}."), StatusCodes.Status429TooManyRequests);
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
        var checkedQuery = new SubscribeRequest(null, query, null, Sites: sites).Validate();
        if (checkedQuery.Errors.TryGetValue("query", out var queryErrors))
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["q"] = queryErrors },
                title: "The query is not valid.", detail: queryErrors[0],
                extensions: new Dictionary<string, object?> { ["position"] = checkedQuery.QueryErrorAt ?? 0 });
        if (checkedQuery.Errors.TryGetValue("sites", out var siteErrors))
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["sites"] = siteErrors }, title: "The sites are not valid.");

        var result = await preview.RunAsync(checkedQuery.Query!, NormalizedSites(sites), request.HttpContext.RequestAborted);
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
            return ComponentPage.For<ConfirmPage>(new ConfirmPageModel(SiteName, pending, token!));
        }

        var confirmed = await handler.ConfirmAsync(token, request.HttpContext.RequestAborted);
        if (confirmed is null)
            return InvalidLink("confirm");
        return ComponentPage.For<ConfirmedPage>(new ConfirmedPageModel(SiteName, confirmed, links.Manage(confirmed.Id),
            FirstEmail.Describe(confirmed, time.GetUtcNow())));
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
            if (subscription.Status == SubscriptionStatus.Unsubscribed)
                return ComponentPage.For<UnsubscribedPage>(new UnsubscribedPageModel(SiteName, subscription, false, links.Manage(subscription.Id), Already: true));
            return ComponentPage.For<UnsubscribePage>(new UnsubscribePageModel(SiteName, subscription, token!,
                await CarriedWithAsync(subscription, request.HttpContext.RequestAborted)));
        }

        if (request.HasFormContentType && (await RequestBody.ReadFormAsync(request)) is { } choice && choice["scope"] == "email")
        {
            // "Stop this email, keep the ticked ones": every alert the email carried, except those kept.
            if (await handler.FindAsync(token, TokenPurpose.Unsubscribe, request.HttpContext.RequestAborted) is not { } anchor)
                return InvalidLink("unsubscribe");
            var keep = choice["keep"].ToHashSet(StringComparer.Ordinal);
            var carried = await CarriedWithAsync(anchor, request.HttpContext.RequestAborted);
            foreach (var s in carried.Where(s => !keep.Contains(s.Id) && s.Status != SubscriptionStatus.Unsubscribed))
                await store.UpsertAsync(s with { Status = SubscriptionStatus.Unsubscribed }, request.HttpContext.RequestAborted);
            var stopped = carried.Where(s => !keep.Contains(s.Id)).ToList();
            logger.LogInformation("Unsubscribe page: {Stopped} of {Carried} alerts of one email stopped", stopped.Count, carried.Count);
            if (stopped.Count == 0)
                return ComponentPage.For<UnsubscribePage>(new UnsubscribePageModel(SiteName, anchor, token!, carried));
            return ComponentPage.For<UnsubscribedPage>(new UnsubscribedPageModel(SiteName, stopped[0], false,
                links.Manage(anchor.Id), Kept: carried.Where(s => keep.Contains(s.Id)).ToList(), Stopped: stopped));
        }
        var done = await handler.UnsubscribeAsync(token, request.HttpContext.RequestAborted);
        if (done is null)
            return InvalidLink("unsubscribe");
        // The one-click POST from a mail client carries only "List-Unsubscribe=One-Click": it stops this one alert.
        var all = request.HasFormContentType && (await RequestBody.ReadFormAsync(request))["scope"] == "all";
        if (all)
            await handler.UnsubscribeAllAsync(done.Email, request.HttpContext.RequestAborted);
        return ComponentPage.For<UnsubscribedPage>(new UnsubscribedPageModel(SiteName, done, all, links.Manage(done.Id)));
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

    private IResult InvalidLink(string action) =>
        ComponentPage.For<InvalidLinkPage>(new InvalidLinkPageModel(SiteName, action), StatusCodes.Status400BadRequest);

    /// <summary>
    /// The alerts a digest email of <paramref name="subscription"/> carries: the active alerts of the same address
    /// whose current digest period is the same (the scheduler's grouping), the given one first. Instant alerts are
    /// one email per article, so only itself.
    /// </summary>
    private async Task<IReadOnlyList<Subscription>> CarriedWithAsync(Subscription subscription, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (subscription.Frequency == Frequency.Instant || Digests.DigestSchedule.Current(subscription, now) is not { } period)
            return [subscription];
        var others = (await store.ListByEmailAsync(subscription.Email, cancellationToken))
            .Where(s => s.Id != subscription.Id && s.Status == SubscriptionStatus.Active && s.Frequency == subscription.Frequency
                && Digests.DigestSchedule.Current(s, now) is { } p && p.Key == period.Key && p.DueAt == period.DueAt)
            .OrderBy(s => s.CreatedAt).ThenBy(s => s.Id, StringComparer.Ordinal);
        return [subscription, .. others];
    }

    private static string[]? NormalizedSites(string[]? sites) =>
        sites is { Length: > 0 } ? sites.Select(x => SubscribeRequest.NormalizeSite(x)!).Distinct(StringComparer.Ordinal).ToArray() : null;

    private IResult SubscribePage(SubscribeRequest values, SubscribeValidation? validation, PreviewResult? result = null, string? message = null,
        ArticleTest? article = null, int status = StatusCodes.Status200OK) =>
        ComponentPage.For<SubscribePage>(new SubscribePageModel(SiteName, values, validation?.Errors ?? [], result, message, article, validation?.QueryErrorAt), status);
}
