using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Web;

/// <summary>
/// Headers on every response of both hosts: a CSP that allows scripts only from this site (no inline script; the
/// pages' own style block is inline CSS), no framing, no MIME sniffing, no referrer leaving with a token in the
/// URL, HSTS when the site is served over https, and <c>no-store</c> on every page reached by a signed link.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; connect-src 'self'; "
        + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    /// <summary>Routes whose URL or form carries a signed token: never cached by the browser or a proxy.</summary>
    private static readonly string[] TokenRoutes = ["/" + Routes.Confirm, "/" + Routes.Unsubscribe, "/" + Routes.Manage];

    public static void Apply(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XFrameOptions = "DENY";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        var site = context.RequestServices?.GetService<IOptions<SiteOptions>>()?.Value;
        if (context.Request.IsHttps || site?.PublicBaseUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase) == true)
            headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
        var path = context.Request.Path.Value ?? "";
        if (context.Request.Query.ContainsKey("token") || TokenRoutes.Any(r => path.StartsWith(r, StringComparison.OrdinalIgnoreCase)))
            headers.CacheControl = "no-store";
    }

    /// <summary>Sets the headers just before the response starts, whatever wrote it (endpoint, error page, 404).</summary>
    public static void OnStarting(HttpContext context) =>
        context.Response.OnStarting(static state =>
        {
            Apply((HttpContext)state);
            return Task.CompletedTask;
        }, context);
}
