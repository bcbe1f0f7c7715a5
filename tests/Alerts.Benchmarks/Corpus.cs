using System.IO.Compression;
using System.Text.Json;

namespace Alerts.Benchmarks;

/// <summary>One Reuters-21578 article with the tag lists that queries are drawn from.</summary>
internal sealed record CorpusArticle(string Id, string Title, string Body, IReadOnlyList<string> Tags);

internal static class Corpus
{
    public static List<CorpusArticle> Load(string path)
    {
        var articles = new List<CorpusArticle>();
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var tags = new List<string>();
            foreach (var list in (string[])["topics", "places", "people", "orgs", "exchanges"])
                if (root.TryGetProperty(list, out var values) && values.ValueKind == JsonValueKind.Array)
                    tags.AddRange(values.EnumerateArray().Select(v => v.GetString()!).Where(v => !string.IsNullOrEmpty(v)));
            articles.Add(new CorpusArticle(
                root.GetProperty("id").GetString()!,
                root.GetProperty("title").GetString() ?? "",
                root.GetProperty("body").GetString() ?? "",
                tags));
        }
        return articles;
    }
}
