using Alerts.Core.Web;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Alerts.Core.Tests.Web;

public class PageLayoutTests
{
    private static readonly ComponentRenderer Renderer =
        new(new ServiceCollection().BuildServiceProvider(), NullLoggerFactory.Instance);

    private static Task<string> Render(string siteName, string title, string body, string? script = null) =>
        Renderer.RenderAsync<PageLayout>(new Dictionary<string, object?>
        {
            [nameof(PageLayout.SiteName)] = siteName,
            [nameof(PageLayout.Title)] = title,
            [nameof(PageLayout.Script)] = script,
            [nameof(PageLayout.ChildContent)] = (RenderFragment)(b => b.AddMarkupContent(0, body)),
        });

    [Fact]
    public async Task The_layout_component_renders_what_the_string_layout_rendered_before_it()
    {
        var html = await Render("Alerts <Dev>", "Subscribe & \"more\"", "<h1>Hi</h1>", "/static/subscribe.js");
        Assert.Equal(Normalise(File.ReadAllText(Golden)), Normalise(html));
    }

    [Fact]
    public async Task The_layout_encodes_the_title_and_site_name_itself()
    {
        var html = await Render("<script>x</script>", "<b>t</b>", "");
        Assert.DoesNotContain("<script>x", html);
        Assert.DoesNotContain("<b>t</b>", html);
        Assert.DoesNotContain("<script src", html);
    }

    /// <summary>What the string layout (HtmlPage.Document, now gone) rendered for the same inputs.</summary>
    private static string Golden => Path.Combine(Infrastructure.RepositoryRoot.Path, "tests", "Alerts.Core.Tests", "Web", "Snapshots", "layout.html");

    /// <summary>Razor's encoder and WebUtility differ only in which safe characters they escape; compare the decoded text and tags.</summary>
    internal static string Normalise(string html) =>
        System.Text.RegularExpressions.Regex.Replace(System.Net.WebUtility.HtmlDecode(html), @"\s+", " ").Trim();
}
