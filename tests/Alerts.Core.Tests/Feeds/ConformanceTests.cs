using System.Text.Json;
using Alerts.Core.Feeds;

namespace Alerts.Core.Tests.Feeds;

/// <summary>
/// The conformance corpus (Feeds/Conformance/&lt;class&gt;/NNN-name.xml|json, written by generate.py beside it): each
/// document parsed as fetched from its URL must give the fields its .expected.json names, or fail with its error.
/// </summary>
public sealed class ConformanceTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Feeds", "Conformance");

    private static IEnumerable<string> Names() =>
        Directory.EnumerateFiles(Root, "*.expected.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(expected => Path.GetRelativePath(Root, expected)[..^".expected.json".Length].Replace('\\', '/'));

    public static TheoryData<string> Cases() => new(Names());

    [Fact]
    public void The_corpus_has_at_least_300_documents_in_every_class()
    {
        var byClass = Names().Select(c => c.Split('/')[0]).GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(byClass.Values.Sum() >= 300, $"{byClass.Values.Sum()} documents");
        foreach (var cls in new[] { "recovery", "elements", "text", "urls", "authors", "encoding", "limits" })
            Assert.True(byClass.GetValueOrDefault(cls) >= 10, $"{cls}: {byClass.GetValueOrDefault(cls)}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_corpus_document_gives_its_expected_fields(string name)
    {
        var document = Directory.EnumerateFiles(Path.GetDirectoryName(Path.Combine(Root, name))!, Path.GetFileName(name) + ".*")
            .Single(f => !f.EndsWith(".expected.json", StringComparison.Ordinal));
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, name + ".expected.json")));
        var e = expected.RootElement;
        var ok = new FeedParser().TryParse(
            File.ReadAllBytes(document), Str(e, "content_type"), Str(e, "url"), 200, CancellationToken.None, out var feed, out var error);

        if (Str(e, "error") is { } expectedError)
        {
            Assert.False(ok, "expected the parse to fail with: " + expectedError);
            Assert.Contains(expectedError, error, StringComparison.OrdinalIgnoreCase);
            return;
        }
        if (Str(e, "not_contains") is { } forbidden)
        {
            if (ok)
                Assert.DoesNotContain(feed!.Items.SelectMany(i => new[] { i.Title, i.Summary, i.Content }).Append(feed.Title), text => text.Contains(forbidden, StringComparison.Ordinal));
            return;
        }
        Assert.True(ok, error);
        Assert.NotNull(feed);
        if (e.TryGetProperty("feed", out var f))
        {
            if (Str(f, "title") is { } title)
                Assert.Equal(title, feed.Title);
            if (Str(f, "site") is { } site)
                Assert.Equal(site, feed.SiteUrl);
            if (Str(f, "format") is { } format)
                Assert.Equal(format, feed.Format);
        }
        if (e.TryGetProperty("items", out var count))
            Assert.Equal(count.GetInt32(), feed.Items.Count);
        if (e.TryGetProperty("min_items", out var min))
            Assert.True(feed.Items.Count >= min.GetInt32(), $"{feed.Items.Count} items, expected at least {min.GetInt32()}");
        if (e.TryGetProperty("repairs", out var repairs))
        {
            if (repairs.GetString() is { Length: 0 })
                Assert.Equal("", feed.Repairs);
            else
                Assert.Contains(repairs.GetString()!, feed.Repairs, StringComparison.Ordinal);
        }
        if (!e.TryGetProperty("item", out var items))
            return;
        foreach (var want in items.EnumerateArray())
        {
            var index = want.GetProperty("index").GetInt32();
            Assert.True(index < feed.Items.Count, $"item {index} missing ({feed.Items.Count} items)");
            var got = feed.Items[index];
            foreach (var field in want.EnumerateObject())
            {
                switch (field.Name)
                {
                    case "index":
                        break;
                    case "title":
                        Assert.Equal(field.Value.GetString(), got.Title);
                        break;
                    case "link":
                        Assert.Equal(field.Value.GetString(), got.Link);
                        break;
                    case "guid":
                        Assert.Equal(field.Value.GetString(), got.Guid);
                        break;
                    case "summary":
                        Assert.Equal(field.Value.GetString(), got.Summary);
                        break;
                    case "content":
                        Assert.Equal(field.Value.GetString(), got.Content);
                        break;
                    case "published":
                        Assert.Equal(field.Value.GetString() is { } iso ? DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture) : null, got.PublishedAt);
                        break;
                    case "authors":
                        Assert.Equal(
                            field.Value.EnumerateArray().Select(a => a.GetString()!).ToArray(),
                            got.Authors.Select(a => (a.Name + (a.Email is null ? "" : $" <{a.Email}>")).Trim()).ToArray());
                        break;
                    default:
                        throw new InvalidOperationException($"Unknown expected field '{field.Name}' in {name}");
                }
            }
        }
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
