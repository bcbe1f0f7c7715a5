using System.Collections.Concurrent;
using System.Xml;
using System.Xml.Linq;

namespace Alerts.Core.Feeds.Parsing;

/// <summary>Reading repaired XML safely, and the element look-ups the format mappers share.</summary>
internal static class FeedXml
{
    // Real feeds declare a handful of short entities, if any; a document that expands to more is hostile.
    private const long MaxCharactersFromEntities = 100_000;

    /// <summary>
    /// Loads repaired XML. No external entity or DTD is ever fetched (no resolver); a DTD is only processed when the
    /// document declares its own entities, and their expansion is capped, so entity bombs fail fast.
    /// </summary>
    public static XDocument Load(ReadOnlyMemory<char> xml, ParseBudget budget)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = xml.Span.StartsWith("<!DOCTYPE", StringComparison.OrdinalIgnoreCase) ? DtdProcessing.Parse : DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersFromEntities = MaxCharactersFromEntities,
            MaxCharactersInDocument = budget.Limits.MaxCharacters * 2L + MaxCharactersFromEntities,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
        };
        using var reader = XmlReader.Create(new MemoryTextReader(xml), settings);
        var document = XDocument.Load(reader, LoadOptions.None);
        budget.Add(xml.Length);
        return document;
    }

    /// <summary>
    /// An element's name as the mappers match it: its lower-cased local name, prefixed by the module its namespace
    /// belongs to ("dc:creator", "media:title"); no prefix for the format's own namespace (<paramref name="core"/>).
    /// Lower case because feeds write "pubdate", "PubDate" and "pubDate" alike.
    /// </summary>
    public static string Key(XElement e, string? core = null)
    {
        var name = e.Name;
        if (!Keys.TryGetValue(name, out var key))
        {
            var module = FeedNamespaces.Module(name.NamespaceName);
            var local = name.LocalName.ToLowerInvariant();
            key = (module, local, module is null ? local : module + ":" + local);
            if (Keys.Count < MaxCachedKeys) // names are interned per document set; a hostile one must not grow the cache
                Keys.TryAdd(name, key);
        }
        return key.Module is null || key.Module == core ? key.Local : key.Prefixed;
    }

    // Every element of every document is looked up by key; the same few dozen names recur, so their keys are kept.
    private const int MaxCachedKeys = 4096;

    private static readonly ConcurrentDictionary<XName, (string? Module, string Local, string Prefixed)> Keys = new();

    private static readonly XName XmlBase = XNamespace.Xml + "base";

    /// <summary>The children of <paramref name="parent"/> by <see cref="Key"/>, read once per element.</summary>
    public static Fields Index(XElement parent, string? core = null)
    {
        var fields = new Fields();
        foreach (var child in parent.Elements())
            fields.Add(Key(child, core), child);
        return fields;
    }

    public static string? Attribute(XElement e, string name)
    {
        for (var a = e.FirstAttribute; a is not null; a = a.NextAttribute)
            if (string.Equals(a.Name.LocalName, name, StringComparison.OrdinalIgnoreCase) && !a.IsNamespaceDeclaration)
                return a.Value;
        return null;
    }

    /// <summary>
    /// The element's content as markup: its text, or, when a feed put unescaped HTML inside (a &lt;p&gt; in a
    /// description), the serialised child nodes, for the HTML-to-text step.
    /// </summary>
    public static string Markup(XElement e)
    {
        if (!e.HasElements)
            return e.Value;
        var builder = new System.Text.StringBuilder();
        foreach (var node in e.Nodes())
            builder.Append(node is XText text ? System.Net.WebUtility.HtmlEncode(text.Value) : node.ToString(SaveOptions.DisableFormatting | SaveOptions.OmitDuplicateNamespaces));
        return builder.ToString();
    }

    /// <summary>The base URI in scope at <paramref name="e"/>: the document URL, refined by every xml:base above it.</summary>
    public static Uri? BaseOf(XElement e, Uri? documentUrl)
    {
        List<string>? bases = null;
        for (var at = e; at is not null; at = at.Parent)
            if (at.Attribute(XmlBase)?.Value is { Length: > 0 } value)
                (bases ??= []).Add(value.Trim());
        var current = documentUrl;
        if (bases is null)
            return current;
        for (var k = bases.Count - 1; k >= 0; k--)
            current = Resolve(bases[k], current) is { } next ? next : current;
        return current;
    }

    /// <summary>The URL absolute against <paramref name="baseUri"/>; the text as given when it cannot be made absolute.</summary>
    public static string? Url(string? value, Uri? baseUri)
    {
        if (string.IsNullOrWhiteSpace(value))
            return null;
        var text = value.Trim();
        return Resolve(text, baseUri)?.ToString() ?? text;
    }

    private static Uri? Resolve(string text, Uri? baseUri)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https" or "ftp" or "mailto" or "urn" or "tag" or "magnet")
            return absolute;
        if (baseUri is not null && Uri.TryCreate(baseUri, text, out var relative))
            return relative;
        return null;
    }
}

/// <summary>An element's children by key, in document order.</summary>
internal sealed class Fields
{
    private readonly Dictionary<string, List<XElement>> _byKey = new(StringComparer.Ordinal);

    public void Add(string key, XElement element)
    {
        if (!_byKey.TryGetValue(key, out var list))
            _byKey[key] = list = [];
        list.Add(element);
    }

    public IReadOnlyList<XElement> All(string key) => _byKey.TryGetValue(key, out var list) ? list : [];

    public XElement? One(string key) => _byKey.TryGetValue(key, out var list) ? list[0] : null;

    /// <summary>The first of the keys present with some content, in the order given (the order of preference).</summary>
    public XElement? First(params ReadOnlySpan<string> keys)
    {
        foreach (var key in keys)
            if (_byKey.TryGetValue(key, out var list))
                foreach (var e in list)
                    if (e.HasElements || !string.IsNullOrWhiteSpace(e.Value))
                        return e;
        return null;
    }
}
