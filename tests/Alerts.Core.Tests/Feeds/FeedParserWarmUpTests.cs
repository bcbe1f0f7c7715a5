using System.Text;
using Alerts.Core.Feeds;

namespace Alerts.Core.Tests.Feeds;

/// <summary>The warm-up compiles the parser's real paths only if its documents parse: each one, with its item.</summary>
public sealed class FeedParserWarmUpTests
{
    [Fact]
    public async Task Every_warm_up_document_parses_with_one_titled_item_and_the_warm_up_completes()
    {
        await FeedParserWarmUp.EnsureAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(3, FeedParserWarmUp.Documents.Count);
        foreach (var document in FeedParserWarmUp.Documents)
        {
            Assert.True(new FeedParser().TryParse(Encoding.UTF8.GetBytes(document), null, "https://warm.test/feed", 10, CancellationToken.None, out var feed, out var error), error);
            var item = Assert.Single(feed.Items);
            Assert.StartsWith("Port", item.Title, StringComparison.Ordinal);
            Assert.Contains("Ships dock again.", item.Summary + item.Content, StringComparison.Ordinal);
        }
    }
}
