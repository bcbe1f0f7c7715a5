namespace Alerts.Core.Web;

/// <summary>Where subscribers reach the app. Links in emails are built from it.</summary>
public sealed class SiteOptions
{
    public const string Section = "Site";

    /// <summary>Public base URL, e.g. https://alerts.example.org (no trailing slash needed).</summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:7071";

    /// <summary>Product name shown in pages and emails.</summary>
    public string Name { get; set; } = "Alerts";

    public string Url(string pathAndQuery) => PublicBaseUrl.TrimEnd('/') + "/" + pathAndQuery.TrimStart('/');
}
