namespace Alerts.Core.Admin;

public sealed class AdminOptions
{
    public const string Section = "Admin";

    /// <summary>
    /// The key the local host asks for on admin routes (header <c>x-functions-key</c> or <c>?code=</c>, like the
    /// Functions host). In Azure the Functions host checks its own admin key instead.
    /// </summary>
    public string ApiKey { get; set; } = "";

    /// <summary>Where feed health emails go (broken past <see cref="BrokenFeedAlertAfter"/>, and recovered). Empty sends none.</summary>
    public string AlertEmail { get; set; } = "";

    /// <summary>How long a feed must keep failing before admins get one email about it.</summary>
    public TimeSpan BrokenFeedAlertAfter { get; set; } = TimeSpan.FromHours(24);
}
