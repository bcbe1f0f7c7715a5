using Alerts.Core.Feeds;
using Microsoft.AspNetCore.WebUtilities;

namespace Alerts.Core.Admin;

/// <summary>
/// Why a feed could not be read, in the words an admin uses: what happened and what to do. The technical text
/// (exception, status line) travels beside it as the detail; these sentences never carry exception names.
/// </summary>
public static class FeedProblemText
{
    public const string NotAWebAddress = "That is not a web address. Enter one that starts with http:// or https://.";

    public const string PrivateAddress = "That address is on a private or local network, where feeds are not allowed.";

    public const string NotAFeed =
        "That address answers, but what it returns is not a feed (RSS, Atom or JSON Feed) nor a web page that links to one. Check that it is the feed's address.";

    public const string PageWithoutFeed =
        "That web page does not link to a feed. Look on the site for an RSS or Atom link, and enter that address instead.";

    /// <summary>A failed fetch: what the server did, in plain words.</summary>
    public static string Of(FeedFetchResult.Failed failed, string url)
    {
        var host = Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Host : url;
        return failed.Kind switch
        {
            FeedErrorKind.Http when failed.Status is { } status => Http(host, status),
            FeedErrorKind.Http => $"{host} answered with an error instead of a feed.",
            FeedErrorKind.Timeout => $"{host} did not answer in time. The server may be overloaded or down.",
            FeedErrorKind.TooLarge => "The feed is larger than the size limit for one feed document.",
            FeedErrorKind.Network => $"{host} could not be reached: the name does not resolve, or the connection was refused or cut. Check the address.",
            FeedErrorKind.Refused => PrivateAddress,
            _ => NotAFeed,
        };
    }

    private static string Http(string host, int status)
    {
        var answered = $"{host} answered {status} {ReasonPhrases.GetReasonPhrase(status)}".TrimEnd() + ".";
        return status switch
        {
            404 or 410 => $"{answered} There is no feed at that address; check it for typos.",
            401 or 403 => $"{answered} The feed needs a login or refuses us.",
            429 => $"{answered} The server asks us to slow down.",
            >= 500 => $"{answered} The server is failing right now.",
            _ => answered,
        };
    }
}
