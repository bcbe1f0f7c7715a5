using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Alerts.Core.Web;

/// <summary>The Retry-After header of a 429 or 503: whole seconds, rounded up, at least one (0 would invite a retry storm).</summary>
public static class RetryAfterHeader
{
    /// <summary>Sets the header on the request's response; returns the seconds written, for the page's own wording.</summary>
    public static int Set(HttpRequest request, TimeSpan delay)
    {
        var seconds = Seconds(delay);
        request.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return seconds;
    }

    public static int Seconds(TimeSpan delay) => Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds));
}
