using System.IO.Compression;
using System.Text.Json;

namespace Alerts.Benchmarks;

/// <summary>One corpus article; <see cref="Tags"/> is empty unless the corpus has tag lists (Reuters-21578 does).</summary>
internal sealed record CorpusArticle(string Id, string Title, string Body, IReadOnlyList<string> Tags);

internal static class Corpus
{
    /// <summary>Reads JSON lines (gzipped when the name ends in .gz) of <c>id</c>, <c>title</c> and <c>body</c>, with
    /// optional tag lists; an id may be a string or a number.</summary>
    public static List<CorpusArticle> Load(string path)
    {
        var articles = new List<CorpusArticle>();
        using var file = File.OpenRead(path);
        using Stream content = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(file, CompressionMode.Decompress)
            : file;
        using var reader = new StreamReader(content);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var tags = new List<string>();
            foreach (var list in (string[])["topics", "places", "people", "orgs", "exchanges"])
                if (root.TryGetProperty(list, out var values) && values.ValueKind == JsonValueKind.Array)
                    tags.AddRange(values.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String)
                        .Select(v => v.GetString()!).Where(v => v.Length > 0));
            var id = root.GetProperty("id");
            articles.Add(new CorpusArticle(
                id.ValueKind == JsonValueKind.String ? id.GetString()! : id.GetRawText(),
                Text(root, "title"),
                Text(root, "body"),
                tags));
        }
        return articles;
    }

    private static string Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
}
