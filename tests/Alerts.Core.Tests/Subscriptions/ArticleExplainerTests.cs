using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Feeds;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.Core.Tests.Subscriptions;

/// <summary>
/// "Would this article match?" through the real parts: pasted text and a page served over HTTP, fetched by the
/// feed fetcher (its SSRF guard and limits), read by SmartReader and explained by the plain evaluator.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class ArticleExplainerTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private TestFeedServer _server = null!;

    public async Task InitializeAsync() => _server = await TestFeedServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static ArticleExplainer Explainer(FeedTestHost host) => host.Service<ArticleExplainer>();

    [Fact]
    public async Task Pasted_text_that_matches_says_which_part_matched_where()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);

        var answer = await Explainer(host).ExplainAsync(ParsedQuery.Parse("\"sanctuary city\" AND Chicago"), null, null,
            "Chicago weighs its rules\nThe council debated the sanctuary city ordinance on Monday.");

        Assert.True(answer.Matches);
        Assert.Equal("Chicago weighs its rules", answer.ArticleTitle);
        Assert.Contains(answer.Reasons, r => r.Contains("sanctuary city in the text", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(answer.Reasons, r => r.Contains("Chicago in the title", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pasted_text_that_misses_says_what_excluded_it_or_is_missing()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        var explainer = Explainer(host);

        var excluded = await explainer.ExplainAsync(ParsedQuery.Parse("immigration -sports"), null, null, "Immigration rules change for sports teams travelling abroad.");
        var missing = await explainer.ExplainAsync(ParsedQuery.Parse("\"sanctuary city\" AND Chicago"), null, null, "The sanctuary city debate reached Denver.");

        Assert.False(excluded.Matches);
        Assert.Contains(excluded.Reasons, r => r.StartsWith("-sports excluded it", StringComparison.Ordinal));
        Assert.False(missing.Matches);
        Assert.Contains(missing.Reasons, r => r.Contains("chicago is not in", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task An_article_address_is_fetched_read_and_explained_with_its_site()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        _server.Respond("/story.html", 200, ArticlePage.Story("Harbour of Zanzibar reopens", "Ships bound for the spice harbour of Zanzibar will be diverted."));

        var answer = await Explainer(host).ExplainAsync(ParsedQuery.Parse("zanzibar -cricket"), null, _server.Url("/story.html"), null);
        var otherSite = await Explainer(host).ExplainAsync(ParsedQuery.Parse("zanzibar"), ["reuters.com"], _server.Url("/story.html"), null);

        Assert.True(answer.Matches, string.Join("; ", answer.Reasons) + answer.Problem);
        Assert.Contains("Zanzibar", answer.ArticleTitle);
        Assert.Contains(answer.Reasons, r => r.Contains("Zanzibar in the title", StringComparison.Ordinal));
        Assert.False(otherSite.Matches);
        Assert.Contains(otherSite.Reasons, r => r.Contains("not one of this alert's sites", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_address_on_the_services_own_network_is_refused_before_any_request()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite, new Dictionary<string, string?> { ["Feeds:AllowLoopback"] = "false" });
        _server.Respond("/story.html", 200, ArticlePage.Story("Harbour of Zanzibar reopens", "Ships bound for Zanzibar."));
        var explainer = Explainer(host);

        var loopback = await explainer.ExplainAsync(ParsedQuery.Parse("zanzibar"), null, _server.Url("/story.html"), null);
        var metadata = await explainer.ExplainAsync(ParsedQuery.Parse("zanzibar"), null, "http://169.254.169.254/metadata/instance", null);
        var file = await explainer.ExplainAsync(ParsedQuery.Parse("zanzibar"), null, "file:///etc/passwd", null);

        Assert.Null(loopback.Matches);
        Assert.Contains("not on the public internet", loopback.Problem);
        Assert.Contains("not on the public internet", metadata.Problem);
        Assert.Contains("not a web address", file.Problem);
        Assert.Equal(0, _server.RequestCount("/story.html"));
    }

    [Fact]
    public async Task No_article_or_too_much_text_is_a_plain_problem_not_an_answer()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        var explainer = Explainer(host);

        var none = await explainer.ExplainAsync(ParsedQuery.Parse("DACA"), null, " ", "");
        var huge = await explainer.ExplainAsync(ParsedQuery.Parse("DACA"), null, null, new string('x', ArticleExplainer.MaxTextLength + 1));

        Assert.Null(none.Matches);
        Assert.Contains("paste its text", none.Problem);
        Assert.Null(huge.Matches);
        Assert.Contains("paste at most", huge.Problem);
    }
}
