using Alerts.Core.Email;
using Alerts.Core.Web;
using static Alerts.Core.Web.HtmlPage;

namespace Alerts.Core.Subscriptions.Pages;

/// <summary>The subscriber pages as C# strings, moved here unchanged so that snapshot tests pin their output before the components replace them.</summary>
internal static class LegacySubscriberPages
{
    internal const string PendingMessage =
        "If this address can receive alerts, a confirmation email is on its way. Open the link in it to start your alerts.";

    public static string Subscribe(SubscribePageModel m)
    {
        var previewHtml = m.Message is not null ? $"<p class=\"error\" role=\"alert\">{m.Message}</p>"
            : m.Preview is { } p ? PreviewHtml(p) : "";
        var errors = m.Errors;
        var values = m.Values;
        var body = $"""
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
        return Document(m.SiteName, "Subscribe", body, StaticScripts.Subscribe);
    }

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

    public static string CheckEmail(CheckEmailPageModel m) => Document(m.SiteName, "Check your email",
        $"<h1>Check your email</h1><p class=\"notice\" role=\"status\">{Encode(m.Message)}</p>");

    public static string Confirm(ConfirmPageModel m) => Document(m.SiteName, "Confirm your alert", $"""
        <h1>Confirm your alert</h1>
        <p>Send <strong>{Encode(m.Pending.Frequency.ToString().ToLowerInvariant())}</strong> alerts for
        <code>{Encode(m.Pending.Query)}</code> to <strong>{Encode(m.Pending.Email)}</strong>?</p>
        <form method="post" action="/{Routes.Confirm}">
          <input type="hidden" name="token" value="{Encode(m.Token)}">
          <button type="submit">Confirm subscription</button>
        </form>
        """);

    public static string Confirmed(ConfirmedPageModel m) => Document(m.SiteName, "Subscription confirmed", $"""
        <h1>You're subscribed</h1>
        <p class="notice" role="status">Alerts for <code>{Encode(m.Confirmed.Query)}</code> will go to
        <strong>{Encode(m.Confirmed.Email)}</strong> ({Encode(m.Confirmed.Frequency.ToString().ToLowerInvariant())}).
        Every email has a link to unsubscribe.</p>
        <p><a href="{Encode(m.ManageLink)}">Manage your alerts</a> (change the time, pause, add sites; the same link is in every email)</p>
        """);

    public static string Unsubscribe(UnsubscribePageModel m) => Document(m.SiteName, "Unsubscribe", $"""
        <h1>Unsubscribe</h1>
        <p>Stop alerts for <code>{Encode(m.Subscription.Query)}</code> to <strong>{Encode(m.Subscription.Email)}</strong>?</p>
        <form method="post" action="/{Routes.Unsubscribe}">
          <input type="hidden" name="token" value="{Encode(m.Token)}">
          <button type="submit">Unsubscribe</button>
        </form>
        <form method="post" action="/{Routes.Unsubscribe}">
          <input type="hidden" name="token" value="{Encode(m.Token)}">
          <input type="hidden" name="scope" value="all">
          <button type="submit" class="secondary">Unsubscribe from all alerts to this address</button>
        </form>
        """);

    public static string Unsubscribed(UnsubscribedPageModel m)
    {
        var what = m.All ? "No more alerts" : $"No more alerts for <code>{Encode(m.Done.Query)}</code>";
        return Document(m.SiteName, "Unsubscribed", $"""
            <h1>You're unsubscribed</h1>
            <p class="notice" role="status">{what} will go to
            <strong>{Encode(m.Done.Email)}</strong>.</p>
            <p><a href="{Encode(m.ManageLink)}">Manage your other alerts</a> · <a href="/{Routes.SubscribePage}">Subscribe to something else</a></p>
            """);
    }

    public static string InvalidLink(InvalidLinkPageModel m) => m.Action is { } action
        ? Document(m.SiteName, "Link not valid", $"""
            <h1>This link is not valid</h1>
            <p class="error" role="alert">The {action} link is incomplete, has expired, or was changed.
            Open the link from the most recent email, or <a href="/{Routes.SubscribePage}">subscribe again</a>.</p>
            """)
        : Document(m.SiteName, "Link not valid", $"""
            <h1>This link is not valid</h1>
            <p class="error" role="alert">The link is incomplete, has expired, or was changed. Open the manage link from
            your most recent alert email, or <a href="/{Routes.SubscribePage}">subscribe again</a>.</p>
            """);

    public static string LinksRevoked(LinksRevokedPageModel m) => Document(m.SiteName, "Links revoked", $"""
        <h1>All your links are revoked</h1>
        <p class="notice" role="status">Every earlier manage, unsubscribe and confirm link for <strong>{Encode(m.Email)}</strong>
        has stopped working, including the one that opened this page. Your alerts are unchanged.</p>
        <p>{(m.Emailed
            ? "We emailed a new manage link to this address."
            : "We could not email a new manage link just now; the next email you get from us carries one that works.")}</p>
        """);

    public static string DeleteConfirm(DeleteConfirmPageModel m) => Document(m.SiteName, "Delete all your data", $"""
        <h1>Delete all your data</h1>
        <p>This deletes all {m.Count} alert{(m.Count == 1 ? "" : "s")} for
        <strong>{Encode(m.Email)}</strong> with their history. It cannot be undone.</p>
        <form method="post" action="/{Routes.ManageDelete}">
          <input type="hidden" name="token" value="{Encode(m.Token)}">
          <button type="submit" class="danger">Delete everything</button>
        </form>
        """);

    public static string Deleted(DeletedPageModel m) => Document(m.SiteName, "Your data is deleted", $"""
        <h1>Your data is deleted</h1>
        <p class="notice" role="status">{m.Count} alert{(m.Count == 1 ? "" : "s")} for <strong>{Encode(m.Email)}</strong>
        and their history are gone. No more emails will be sent.</p>
        <p><a href="/{Routes.SubscribePage}">Subscribe again</a></p>
        """);

    public static string Manage(ManagePageModel m)
    {
        var context = m.Context;
        var token = m.Token;
        var t = Encode(token);
        string Hidden(string action, string? id = null) =>
            $"<input type=\"hidden\" name=\"token\" value=\"{t}\"><input type=\"hidden\" name=\"action\" value=\"{action}\">"
            + (id is null ? "" : $"<input type=\"hidden\" name=\"id\" value=\"{Encode(id)}\">");
        string Button(string action, string id, string text, string title, string css = "secondary") =>
            $"<form method=\"post\" action=\"/{Routes.Manage}\">{Hidden(action, id)}<button type=\"submit\" class=\"{css}\" aria-label=\"{Encode(text + " alert: " + title)}\">{Encode(text)}</button></form>";

        var cards = string.Concat(context.Subscriptions.Select(s =>
        {
            var title = FrequencyText.Title(s);
            var (values, errors) = m.Editing is { } e && e.Id == s.Id ? (e.Values, e.Errors) : (SubscriptionForm.From(s), new Dictionary<string, string[]>());
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
            {(m.Notice is null ? "" : $"<p class=\"notice\" role=\"status\">{Encode(m.Notice)}</p>")}
            {(m.Error is null ? "" : $"<p class=\"error\" role=\"alert\">{Encode(m.Error)}</p>")}
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
        return Document(m.SiteName, "Your alerts", body);
    }
}
