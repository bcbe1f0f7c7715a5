using System.Text.Json;
using Alerts.Core.Email;
using Alerts.Core.Matching;
using Alerts.Core.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Alerts.Core.Subscriptions.Pages;

namespace Alerts.Core.Subscriptions;

/// <summary>
/// The manage page, reached by the signed link in every email: all of the address's subscriptions, each with
/// edit, pause/resume and unsubscribe, plus unsubscribe-all, export and delete-all. Every change is a POST with the
/// token in the form, answered with a redirect to the page (so a reload never repeats it); GETs change nothing.
/// </summary>
public sealed class ManageEndpoints(
    ManageHandler handler, ArticleExplainer explainer, SubscribeRateLimiter limiter, IOptions<SiteOptions> site, ILogger<ManageEndpoints> logger)
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
            return Page(context, token, Notices.GetValueOrDefault(request.Query["done"].ToString()),
                delivery: await handler.DeliveryAsync(context, cancellationToken));
        }

        var form = await RequestBody.ReadFormAsync(request);
        var formToken = form["token"].ToString();
        if (await handler.OpenAsync(formToken, cancellationToken) is not { } ctx)
            return InvalidLink();
        var action = form["action"].ToString();
        var target = ctx.Find(form["id"]);
        if (action is "pause" or "resume" or "unsubscribe" or "update" or "explain" && target is null)
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
                var validation = settings.Validate();
                if (!validation.IsValid)
                    return Page(ctx, formToken, null, editing: new ManageEdit(target.Id, settings, validation.Errors, validation.QueryErrorAt),
                        status: StatusCodes.Status400BadRequest);
                await handler.UpdateAsync(target, settings, cancellationToken);
                return Done(formToken, "updated");
            }
            case "explain":
            {
                // Changes nothing, so it answers with the page itself rather than a redirect.
                var article = new ArticleTest(form["articleUrl"], form["articleText"], null);
                var explanation = await limiter.CheckPreviewAsync(request, cancellationToken) is not null
                    ? ArticleExplanation.Failed("Too many tests; wait a minute and try again.")
                    // The stored query is text; it parsed when it was saved, but a stricter parser since may refuse it.
                    : QueryParser.TryParse(target!.Query, out _) is { } stored
                        ? await explainer.ExplainAsync(new ParsedQuery(target.Query, stored), target.Sites, article.Url, article.Text, cancellationToken)
                        : ArticleExplanation.Failed("This alert's query no longer reads as a query: edit it, then test again.");
                return Page(ctx, formToken, null, tested: new ManageArticleTest(target!.Id, article with { Explanation = explanation }),
                    status: explanation.Problem is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
            }
            case "unsubscribe-all":
                await handler.UnsubscribeAllAsync(ctx, cancellationToken);
                return Done(formToken, "unsubscribed-all");
            case "delete-request":
                try
                {
                    if (await handler.RequestDeleteAllAsync(ctx, cancellationToken) is { } wait)
                    {
                        var seconds = RetryAfterHeader.Set(request, wait);
                        return Page(ctx, formToken, null, error: $"We are sending a lot of email just now. Please try again in {seconds} s.",
                            status: StatusCodes.Status503ServiceUnavailable);
                    }
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
                return ComponentPage.For<LinksRevokedPage>(new LinksRevokedPageModel(SiteName, ctx.Email, emailed));
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
            return ComponentPage.For<DeleteConfirmPage>(new DeleteConfirmPageModel(SiteName, context.Email, context.Subscriptions.Count, token!));

        var count = await handler.DeleteAllAsync(context, cancellationToken);
        return ComponentPage.For<DeletedPage>(new DeletedPageModel(SiteName, context.Email, count));
    }

    private static IResult Done(string token, string notice) =>
        Results.Redirect($"/{Routes.Manage}?token={Uri.EscapeDataString(token)}" + (notice.Length > 0 ? "&done=" + notice : ""), permanent: false, preserveMethod: false);

    private IResult InvalidLink() =>
        ComponentPage.For<InvalidLinkPage>(new InvalidLinkPageModel(SiteName, null), StatusCodes.Status400BadRequest);

    private IResult Page(
        ManageContext context, string token, string? notice, string? error = null,
        ManageEdit? editing = null, ManageArticleTest? tested = null,
        AddressBounces? delivery = null, int status = StatusCodes.Status200OK) =>
        ComponentPage.For<ManagePage>(new ManagePageModel(SiteName, context, token, notice, error,
            editing, tested, delivery), status);
}
