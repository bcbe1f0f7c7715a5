using System.Text.Json;
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
public sealed class SubscriptionEndpoints(SubscribeHandler handler, IOptions<SiteOptions> site, ILogger<SubscriptionEndpoints> logger)
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
            body = await JsonSerializer.DeserializeAsync<SubscribeRequest>(request.Body, Json, request.HttpContext.RequestAborted);
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

        if (await TrySubscribeAsync(body, request.HttpContext.RequestAborted) is { } failure)
            return failure;
        return Results.Json(new { status = "pending", message = PendingMessage }, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary><c>GET /subscribe</c> shows the form; <c>POST /subscribe</c> takes the form and re-renders it with errors.</summary>
    public async Task<IResult> SubscribePageAsync(HttpRequest request)
    {
        if (!HttpMethods.IsPost(request.Method))
            return Render(SiteName, "Subscribe", SubscribeForm(new SubscribeRequest(null, request.Query["q"], "daily"), []));

        var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        var body = new SubscribeRequest(
            form["email"], form["query"], form["frequency"], form["timeZone"],
            int.TryParse(form["digestHour"], out var hour) ? hour : null, form["digestDay"], form["label"]);
        var errors = body.Validate();
        if (errors.Count > 0)
            return Render(SiteName, "Subscribe", SubscribeForm(body, errors), StatusCodes.Status400BadRequest);
        if (await TrySubscribeAsync(body, request.HttpContext.RequestAborted) is not null)
            return Render(SiteName, "Subscribe",
                "<p class=\"error\" role=\"alert\">We could not send the confirmation email just now. Please try again in a few minutes.</p>"
                + SubscribeForm(body, []), StatusCodes.Status503ServiceUnavailable);
        return Render(SiteName, "Check your email",
            $"<h1>Check your email</h1><p class=\"notice\" role=\"status\">{Encode(PendingMessage)}</p>");
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
            var pending = await handler.FindAsync(token, TokenPurpose.Confirm, request.HttpContext.RequestAborted);
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
                """);
        }

        var done = await handler.UnsubscribeAsync(token, request.HttpContext.RequestAborted);
        if (done is null)
            return InvalidLink("unsubscribe");
        return Render(SiteName, "Unsubscribed", $"""
            <h1>You're unsubscribed</h1>
            <p class="notice" role="status">No more alerts for <code>{Encode(done.Query)}</code> will go to
            <strong>{Encode(done.Email)}</strong>.</p>
            <p><a href="/{Routes.SubscribePage}">Subscribe to something else</a></p>
            """);
    }

    private async Task<IResult?> TrySubscribeAsync(SubscribeRequest body, CancellationToken cancellationToken)
    {
        try
        {
            await handler.SubscribeAsync(body, cancellationToken);
            return null;
        }
        catch (Exception ex) when (ex is MailKit.CommandException or MailKit.ProtocolException or System.Net.Sockets.SocketException or IOException)
        {
            logger.LogError(ex, "Could not send the confirmation email");
            return Results.Problem(
                title: "The confirmation email could not be sent.",
                detail: "The mail server did not accept the message. Nothing was lost: send the same request again in a few minutes.",
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    /// <summary>The token from the query string, or from the form body of a POST (the one-click POST keeps it in the URL).</summary>
    private static async Task<string?> TokenFromAsync(HttpRequest request)
    {
        if (request.Query["token"] is { Count: > 0 } fromQuery)
            return fromQuery.ToString();
        if (HttpMethods.IsPost(request.Method) && request.HasFormContentType)
            return (await request.ReadFormAsync(request.HttpContext.RequestAborted))["token"].ToString();
        return null;
    }

    private IResult InvalidLink(string action) => Render(SiteName, "Link not valid", $"""
        <h1>This link is not valid</h1>
        <p class="error" role="alert">The {action} link is incomplete, has expired, or was changed.
        Open the link from the most recent email, or <a href="/{Routes.SubscribePage}">subscribe again</a>.</p>
        """, StatusCodes.Status400BadRequest);

    private static string SubscribeForm(SubscribeRequest values, Dictionary<string, string[]> errors)
    {
        string ErrorFor(string field) => errors.TryGetValue(field, out var messages)
            ? $"<p class=\"error\" id=\"{field}-error\" role=\"alert\">{Encode(string.Join(" ", messages))}</p>" : "";
        string Described(string field) => errors.ContainsKey(field) ? $" aria-invalid=\"true\" aria-describedby=\"{field}-error\"" : "";
        string Selected(string option) =>
            string.Equals(values.Frequency, option, StringComparison.OrdinalIgnoreCase) ? " selected" : "";

        return $"""
            <h1>Get news alerts</h1>
            <p>We email you when new articles in our feeds match your query.</p>
            <form method="post" action="/{Routes.SubscribePage}" novalidate>
              <label for="email">Email address</label>
              <input id="email" name="email" type="email" autocomplete="email" required value="{Encode(values.Email)}"{Described("email")}>
              {ErrorFor("email")}
              <label for="query">Query</label>
              <input id="query" name="query" type="text" required maxlength="{SubscribeRequest.MaxQueryLength}" value="{Encode(values.Query)}"{Described("query")}>
              <p class="hint">Words must all appear. Use <code>"quoted phrases"</code>, <code>OR</code>, <code>-exclude</code>,
              <code>immigra*</code>. Example: <code>"sanctuary city" AND Chicago</code>.</p>
              {ErrorFor("query")}
              <label for="frequency">How often</label>
              <select id="frequency" name="frequency"{Described("frequency")}>
                <option value="instant"{Selected("instant")}>As it happens</option>
                <option value="hourly"{Selected("hourly")}>Hourly digest</option>
                <option value="daily"{Selected("daily")}>Daily digest</option>
                <option value="weekly"{Selected("weekly")}>Weekly digest</option>
              </select>
              {ErrorFor("frequency")}
              <button type="submit">Subscribe</button>
            </form>
            """;
    }
}
