namespace Alerts.Core.Subscriptions.Pages;

// The models of the subscriber pages: what each page shows, decided by the endpoint; the components only lay it out.

/// <summary>The subscribe form, filled in again after a preview or an error.</summary>
/// <param name="Preview">The server-rendered preview (the no-JavaScript path of the live preview), or null.</param>
/// <param name="Message">A message in the preview area (too many requests, storage down), or null.</param>
/// <param name="Article">The article tested with "would this match?", and the answer once tested.</param>
/// <param name="QueryErrorAt">Where the query's parse error points (<see cref="SubscribeValidation.QueryErrorAt"/>).</param>
public sealed record SubscribePageModel(
    string SiteName,
    SubscribeRequest Values,
    IReadOnlyDictionary<string, string[]> Errors,
    PreviewResult? Preview = null,
    string? Message = null,
    ArticleTest? Article = null,
    int? QueryErrorAt = null);

/// <summary>What the subscriber gave to "would this article match?" and, once tested, the answer.</summary>
public sealed record ArticleTest(string? Url, string? Text, ArticleExplanation? Explanation);

/// <summary>"Check your email" after a subscribe request was queued.</summary>
public sealed record CheckEmailPageModel(string SiteName, string Message);

/// <summary>"Email me a link to my alerts": the form again with <paramref name="Error"/>, or the answer once queued (<paramref name="Sent"/>).</summary>
public sealed record ManageLinkPageModel(string SiteName, string? Email, string? Error = null, bool Sent = false);

/// <summary>The confirm link's page: a button, since link scanners prefetch GETs.</summary>
public sealed record ConfirmPageModel(string SiteName, Subscription Pending, string Token);

/// <summary>After confirming.</summary>
/// <param name="FirstEmail">When the first email can come, in the subscriber's zone (<see cref="Subscriptions.FirstEmail"/>).</param>
public sealed record ConfirmedPageModel(string SiteName, Subscription Confirmed, string ManageLink, string? FirstEmail = null);

/// <summary>The unsubscribe link's page: one button for this alert, one for all alerts of the address.</summary>
/// <param name="Carried">Every alert a digest of this schedule carries (this one first), when there are several:
/// the page offers to keep any of them.</param>
public sealed record UnsubscribePageModel(string SiteName, Subscription Subscription, string Token, IReadOnlyList<Subscription>? Carried = null);

/// <summary>After unsubscribing from one alert, or from all of them (<paramref name="All"/>).</summary>
/// <param name="Already">The link was opened for an alert that was already stopped: say so, ask nothing.</param>
/// <param name="Kept">Alerts of the same email the subscriber chose to keep.</param>
/// <param name="Stopped">Every alert stopped, when the page stopped several of one email.</param>
public sealed record UnsubscribedPageModel(string SiteName, Subscription Done, bool All, string ManageLink, bool Already = false,
    IReadOnlyList<Subscription>? Kept = null, IReadOnlyList<Subscription>? Stopped = null);

/// <summary>A confirm, unsubscribe or manage link that does not verify.</summary>
/// <param name="Action">"confirm" or "unsubscribe"; null for a manage link.</param>
public sealed record InvalidLinkPageModel(string SiteName, string? Action);

/// <summary>The manage page: every alert of the address, each with its actions and edit form.</summary>
/// <param name="Editing">The alert whose edit form failed validation, with what was typed and the errors.</param>
/// <param name="Delivery">What the mail relay said about the address; the page says so when it is suppressed.</param>
public sealed record ManagePageModel(
    string SiteName,
    ManageContext Context,
    string Token,
    string? Notice = null,
    string? Error = null,
    ManageEdit? Editing = null,
    ManageArticleTest? Tested = null,
    Email.AddressBounces? Delivery = null);

/// <summary>An alert's "would this article match?" form shown again with its answer.</summary>
public sealed record ManageArticleTest(string Id, ArticleTest Article);

/// <summary>An edit form shown again with the subscriber's input, the validation errors and where the query's error points.</summary>
public sealed record ManageEdit(string Id, SubscribeRequest Values, IReadOnlyDictionary<string, string[]> Errors, int? QueryErrorAt = null);

/// <summary>After "revoke all my links".</summary>
public sealed record LinksRevokedPageModel(string SiteName, string Email, bool Emailed);

/// <summary>The emailed erase link's page: a button.</summary>
public sealed record DeleteConfirmPageModel(string SiteName, string Email, int Count, string Token);

/// <summary>After erasing.</summary>
public sealed record DeletedPageModel(string SiteName, string Email, int Count);
