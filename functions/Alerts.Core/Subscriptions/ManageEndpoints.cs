using System.Text.Json;
using Alerts.Core.Email;
using Alerts.Core.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static Alerts.Core.Web.HtmlPage;

namespace Alerts.Core.Subscriptions;

/// <summary>
/// The manage page, reached by the signed link in every email: all of the address's subscriptions, each with
/// edit, pause/resume and unsubscribe, plus unsubscribe-all, export and delete-all. Every change is a POST with the
/// token in the form, answered with a redirect to the page (so a reload never repeats it); GETs change nothing.
/// </summary>
public sealed class ManageEndpoints(ManageHandler handler, IOptions<SiteOptions> site, ILogger<ManageEndpoints> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private static readonly Dictionary<string, string> Notices = new(StringComparer.Ordinal)
    {
        ["updated"] = "Your changes are saved.",
        ["paused"] = "Paused. Nothing is sent until you resume it.",
        ["resumed"] = "Resumed. New matching articles will be sent again.",
        ["unsubscribed"] = "Unsubscribed. No more emails for that alert.",
        ["unsubscribed-all"] = "Unsubscribed from all alerts. No more emails will be sent to this address.",
        ["delete-requested"] = "We emailed you a link to confirm deleting all your data. Nothing is deleted until you follow it.",
    };

    private string SiteName => site.Value.Name;

    /// <summary><c>GET /manage?token=</c> shows the page; <c>POST /manage</c> performs one action.</summary>
    public async Task<IResult> ManageAsync(HttpRequest request)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        if (!HttpMethods.IsPost(request.Method))
        {
            var token = request.Query["token"].ToString();
            if (await handler.OpenAsync(token, cancellationToken) is not { } context)
                return InvalidLink();
            return Page(context, token, Notices.GetValueOrDefault(request.Query["done"].ToString()));
        }

        var form = await RequestBody.ReadFormAsync(request);
        var formToken = form["token"].ToString();
        if (await handler.OpenAsync(formToken, cancellationToken) is not { } ctx)
            return InvalidLink();
        var action = form["action"].ToString();
        var target = ctx.Find(form["id"]);
        if (action is "pause" or "resume" or "unsubscribe" or "update" && target is null)
            return Page(ctx, formToken, null, error: "That alert is not one of this address's alerts.", status: StatusCodes.Status400BadRequest);

        switch (action)
        {
            case "pause" when target!.Status == SubscriptionStatus.Active:
                await handler.SetStatusAsync(target, SubscriptionStatus.Paused, cancellationToken);
                return Done(formToken, "paused");
            case "resume" when target!.Status is SubscriptionStatus.Paused or SubscriptionStatus.Unsubscribed:
                await handler.SetStatusAsync(target, SubscriptionStatus.Active, cancellationToken);
                return Done(formToken, "resumed");
            case "unsubscribe":
                await handler.SetStatusAsync(target!, SubscriptionStatus.Unsubscribed, cancellationToken);
                return Done(formToken, "unsubscribed");
            case "update":
            {
                var settings = SubscriptionForm.Read(form, target!.Email);
                var errors = settings.Validate();
                if (errors.Count > 0)
                    return Page(ctx, formToken, null, editing: (target.Id, settings, errors), status: StatusCodes.Status400BadRequest);
                await handler.UpdateAsync(target, settings, cancellationToken);
                return Done(formToken, "updated");
            }
            case "unsubscribe-all":
                await handler.UnsubscribeAllAsync(ctx, cancellationToken);
                return Done(formToken, "unsubscribed-all");
            case "delete-request":
                try
                {
                    await handler.RequestDeleteAllAsync(ctx, cancellationToken);
                }
                catch (Exception ex) when (ex is MailKit.CommandException or MailKit.ProtocolException or System.Net.Sockets.SocketException or IOException)
                {
                    logger.LogError(ex, "Could not send the erase confirmation email");
                    return Page(ctx, formToken, null, error: "We could not send the confirmation email just now. Please try again in a few minutes.",
                        status: StatusCodes.Status503ServiceUnavailable);
                }
                return Done(formToken, "delete-requested");
            case "revoke-links":
                bool emailed;
                try
                {
                    emailed = await handler.RevokeLinksAsync(ctx, cancellationToken);
                }
                catch (Exception ex) when (ex is MailKit.CommandException or MailKit.ProtocolException or System.Net.Sockets.SocketException or IOException)
                {
                    // The links are revoked; only the fresh one did not go out.
                    logger.LogError(ex, "Could not send the fresh manage link");
                    emailed = false;
                }
                // This page's own link is revoked too, so there is no page to redirect back to.
                return Render(SiteName, "Links revoked", $"""
                    <h1>All your links are revoked</h1>
                    <p class="notice" role="status">Every earlier manage, unsubscribe and confirm link for <strong>{Encode(ctx.Email)}</strong>
                    has stopped working, including the one that opened this page. Your alerts are unchanged.</p>
                    <p>{(emailed
                        ? "We emailed a new manage link to this address."
                        : "We could not email a new manage link just now; the next email you get from us carries one that works.")}</p>
                    """);
            default:
                // A stale page (pause on an already paused alert): show the current state rather than an error.
                return Done(formToken, "");
        }
    }

    /// <summary><c>GET /manage/export?token=</c>: everything stored about the address, as a JSON download.</summary>
    public async Task<IResult> ExportAsync(HttpRequest request)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        if (await handler.OpenAsync(request.Query["token"].ToString(), cancellationToken) is not { } context)
            return Results.Problem(title: "This link is not valid.", detail: "The manage link is incomplete, has expired, or was changed.",
                statusCode: StatusCodes.Status400BadRequest);
        var export = await handler.ExportAsync(context, cancellationToken);
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        return Results.File(JsonSerializer.SerializeToUtf8Bytes(export, Json), "application/json", "alerts-data.json");
    }

    /// <summary><c>GET /manage/delete?token=</c> (from the confirmation email) shows a button; the <c>POST</c> erases.</summary>
    public async Task<IResult> DeleteAsync(HttpRequest request)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        string? token = request.Query["token"];
        if (HttpMethods.IsPost(request.Method) && request.HasFormContentType)
            token = (await RequestBody.ReadFormAsync(request))["token"];
        if (await handler.OpenAsync(token, TokenPurpose.DeleteAll, cancellationToken) is not { } context)
            return InvalidLink();

        if (!HttpMethods.IsPost(request.Method))
            return Render(SiteName, "Delete all your data", $"""
                <h1>Delete all your data</h1>
                <p>This deletes all {context.Subscriptions.Count} alert{(context.Subscriptions.Count == 1 ? "" : "s")} for
                <strong>{Encode(context.Email)}</strong> with their history. It cannot be undone.</p>
                <form method="post" action="/{Routes.ManageDelete}">
                  <input type="hidden" name="token" value="{Encode(token)}">
                  <button type="submit" class="danger">Delete everything</button>
                </form>
                """);

        var count = await handler.DeleteAllAsync(context, cancellationToken);
        return Render(SiteName, "Your data is deleted", $"""
            <h1>Your data is deleted</h1>
            <p class="notice" role="status">{count} alert{(count == 1 ? "" : "s")} for <strong>{Encode(context.Email)}</strong>
            and their history are gone. No more emails will be sent.</p>
            <p><a href="/{Routes.SubscribePage}">Subscribe again</a></p>
            """);
    }

    private static IResult Done(string token, string notice) =>
        Results.Redirect($"/{Routes.Manage}?token={Uri.EscapeDataString(token)}" + (notice.Length > 0 ? "&done=" + notice : ""), permanent: false, preserveMethod: false);

    private IResult InvalidLink() => Render(SiteName, "Link not valid", $"""
        <h1>This link is not valid</h1>
        <p class="error" role="alert">The link is incomplete, has expired, or was changed. Open the manage link from
        your most recent alert email, or <a href="/{Routes.SubscribePage}">subscribe again</a>.</p>
        """, StatusCodes.Status400BadRequest);

    private IResult Page(
        ManageContext context, string token, string? notice, string? error = null,
        (string Id, SubscribeRequest Values, Dictionary<string, string[]> Errors)? editing = null, int status = StatusCodes.Status200OK)
    {
        var t = Encode(token);
        string Hidden(string action, string? id = null) =>
            $"<input type=\"hidden\" name=\"token\" value=\"{t}\"><input type=\"hidden\" name=\"action\" value=\"{action}\">"
            + (id is null ? "" : $"<input type=\"hidden\" name=\"id\" value=\"{Encode(id)}\">");
        string Button(string action, string id, string text, string title, string css = "secondary") =>
            $"<form method=\"post\" action=\"/{Routes.Manage}\">{Hidden(action, id)}<button type=\"submit\" class=\"{css}\" aria-label=\"{Encode(text + " alert: " + title)}\">{Encode(text)}</button></form>";

        var cards = string.Concat(context.Subscriptions.Select(s =>
        {
            var title = FrequencyText.Title(s);
            var (values, errors) = editing is { } e && e.Id == s.Id ? (e.Values, e.Errors) : (SubscriptionForm.From(s), new Dictionary<string, string[]>());
            var statusText = s.Status switch
            {
                SubscriptionStatus.Pending => "Waiting for confirmation",
                SubscriptionStatus.Unsubscribed => "Unsubscribed",
                _ => s.Status.ToString(),
            };
            var actions = s.Status switch
            {
                SubscriptionStatus.Active => Button("pause", s.Id, "Pause", title) + Button("unsubscribe", s.Id, "Unsubscribe", title),
                SubscriptionStatus.Paused => Button("resume", s.Id, "Resume", title, "") + Button("unsubscribe", s.Id, "Unsubscribe", title),
                SubscriptionStatus.Pending => Button("unsubscribe", s.Id, "Cancel", title),
                _ => Button("resume", s.Id, "Subscribe again", title),
            };
            var restrictions = (s.Sites is { Count: > 0 } sites ? $"<br>Only from: {Encode(string.Join(", ", sites))}" : "")
                + (s.MaxItems is { } max ? $"<br>Shows {max} article{(max == 1 ? "" : "s")} in full per email; the rest by title." : "");
            var suffix = "-" + s.Id;
            return $"""
                <section class="card" aria-labelledby="title{suffix}">
                <h2 id="title{suffix}">{Encode(title)} <span class="status status-{s.Status.ToString().ToLowerInvariant()}">{Encode(statusText)}</span></h2>
                <p>Query <code>{Encode(s.Query)}</code><br>Sent {Encode(FrequencyText.Describe(s))}.{restrictions}</p>
                <div class="actions">{actions}</div>
                <details{(errors.Count > 0 ? " open" : "")}><summary>Edit</summary>
                <form method="post" action="/{Routes.Manage}" novalidate>
                  {Hidden("update", s.Id)}
                  {SubscriptionForm.QueryField(values, errors, suffix)}
                  {SubscriptionForm.SettingsFields(values, errors, suffix)}
                  <button type="submit" aria-label="{Encode("Save changes to alert: " + title)}">Save changes</button>
                </form>
                </details>
                </section>
                """;
        }));

        var body = $"""
            <h1>Your alerts</h1>
            <p>Alerts sent to <strong>{Encode(context.Email)}</strong>. This page opens from the link in your emails; anyone with the link can change your alerts, so don't forward it.</p>
            {(notice is null ? "" : $"<p class=\"notice\" role=\"status\">{Encode(notice)}</p>")}
            {(error is null ? "" : $"<p class=\"error\" role=\"alert\">{Encode(error)}</p>")}
            {cards}
            <h2>All alerts for this address</h2>
            <div class="actions">
              <form method="post" action="/{Routes.Manage}">{Hidden("unsubscribe-all")}<button type="submit" class="secondary">Unsubscribe from all</button></form>
              <a href="/{Routes.ManageExport}?token={Uri.EscapeDataString(token)}" download>Download my data (JSON)</a>
              <form method="post" action="/{Routes.Manage}">{Hidden("delete-request")}<button type="submit" class="danger" aria-describedby="delete-hint">Delete all my data</button></form>
            </div>
            <p class="hint" id="delete-hint">Deleting is confirmed by a link we email to this address.</p>
            <form method="post" action="/{Routes.Manage}">{Hidden("revoke-links")}<button type="submit" class="secondary" aria-describedby="revoke-hint">Revoke all my links</button></form>
            <p class="hint" id="revoke-hint">If you forwarded an email or think someone else has one of your links: every earlier link stops working and we email you a new manage link.</p>
            <p><a href="/{Routes.SubscribePage}">Add another alert</a></p>
            {SubscriptionForm.TimeZoneList()}
            """;
        return Render(SiteName, "Your alerts", body, status);
    }
}
