using Alerts.Core.Matching;

namespace Alerts.Benchmarks;

/// <summary>
/// Draws realistic alert queries from the corpus: words by document frequency (half from a "common" band of
/// words in 0.1%..3% of articles, half from the "rare" words in fewer than 0.1%), phrases cut from article text, tag names (places, people, organisations, topics), and a
/// mix of AND / OR / NOT, prefixes, title: and proximity queries.
/// Any corpus of id, title and body works: without tag lists, tag queries become phrases from the text, and a band
/// that is empty in a small corpus borrows from the other.
/// </summary>
internal sealed class QueryGenerator
{
    private readonly Random _random;
    private readonly string[][] _texts;
    private readonly Dictionary<string, int> _df;
    private readonly string[] _common;
    private readonly double[] _commonCumulative;
    private readonly string[] _rare;
    private readonly string[] _tags;

    private readonly bool _dfWeighted;

    /// <param name="dfWeighted">Pick common words in proportion to their document frequency (a much more
    /// match-heavy mix) instead of uniformly within the common band.</param>
    public QueryGenerator(IReadOnlyList<CorpusArticle> articles, int seed, bool dfWeighted)
    {
        _dfWeighted = dfWeighted;
        _random = new Random(seed);
        _texts = articles.Select(a => TextAnalyzer.Tokenize(a.Title + "\n" + a.Body).Select(t => t.Term).ToArray()).ToArray();
        _df = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var terms in _texts)
            foreach (var term in terms.Distinct())
                _df[term] = _df.GetValueOrDefault(term) + 1;
        var n = (double)articles.Count;
        bool Wordlike(string t) => t.Length >= 3 && t.Any(char.IsLetter);
        // "Common" subscriber words: topical, not stopwords (0.1%..3% of articles).
        _common = _df.Where(kv => Wordlike(kv.Key) && kv.Value >= n * 0.001 && kv.Value <= n * 0.03)
            .Select(kv => kv.Key).Order(StringComparer.Ordinal).ToArray();
        _commonCumulative = new double[_common.Length];
        var sum = 0.0;
        for (var i = 0; i < _common.Length; i++) _commonCumulative[i] = sum += _df[_common[i]];
        // "Rare" words: names and specialist terms, uniformly.
        _rare = _df.Where(kv => Wordlike(kv.Key) && kv.Value >= 2 && kv.Value < n * 0.001)
            .Select(kv => kv.Key).Order(StringComparer.Ordinal).ToArray();
        if (_common.Length == 0 && _rare.Length == 0)
            _rare = _df.Keys.Where(Wordlike).Order(StringComparer.Ordinal).ToArray();
        if (_rare.Length == 0)
            throw new ArgumentException("The corpus has no words of three or more letters to draw queries from.", nameof(articles));
        if (_common.Length == 0)
        {
            _common = _rare;
            _commonCumulative = _common.Select((_, i) => i + 1.0).ToArray();
        }
        _tags = articles.SelectMany(a => a.Tags).Distinct().Order(StringComparer.Ordinal).ToArray();
    }

    public int DocumentFrequency(string term) => _df.GetValueOrDefault(term);

    public string Next()
    {
        while (true)
        {
            var q = Candidate();
            try
            {
                QueryParser.Parse(q);
                return q;
            }
            catch (QueryParseException) { }
        }
    }

    private string Candidate()
    {
        var r = _random.NextDouble();
        return r switch
        {
            < 0.30 => Word(),
            < 0.45 => Phrase(),
            < 0.55 => Tag(),
            < 0.70 => $"{Part()} {Part()}",
            < 0.80 => _random.Next(2) == 0 ? $"{Part()} OR {Part()}" : $"{Part()} OR {Part()} OR {Part()}",
            < 0.85 => $"{Part()} -{Word()}",
            < 0.90 => _random.Next(2) == 0 ? Prefix() : $"{Prefix()} {Word()}",
            < 0.94 => _random.Next(2) == 0 ? $"title:{Word()}" : $"title:({Word()} OR {Word()})",
            < 0.97 => Near(),
            _ => _random.Next(2) == 0 ? $"site:reuters.com {Part()}" : $"({Part()} OR {Part()}) NOT {Word()}",
        };
    }

    private string Part() => _random.Next(4) switch { 0 => Phrase(), 1 => Tag(), _ => Word() };

    private string Word()
    {
        if (_random.Next(2) == 0) return _rare[_random.Next(_rare.Length)];
        if (!_dfWeighted) return _common[_random.Next(_common.Length)];
        var x = _random.NextDouble() * _commonCumulative[^1];
        var i = Array.BinarySearch(_commonCumulative, x);
        return _common[i < 0 ? ~i : i];
    }

    private string Tag()
    {
        if (_tags.Length == 0) return Phrase();
        var words = _tags[_random.Next(_tags.Length)].Split('-', StringSplitOptions.RemoveEmptyEntries);
        return words.Length == 1 ? words[0] : "\"" + string.Join(' ', words) + "\"";
    }

    private bool Topical(string term) => term.Length >= 3 && term.Any(char.IsLetter) && _df[term] < _texts.Length * 0.05;

    private string Phrase()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var text = _texts[_random.Next(_texts.Length)];
            var length = _random.Next(3) == 0 ? 3 : 2;
            if (text.Length < length) continue;
            var start = _random.Next(text.Length - length + 1);
            if (!Topical(text[start]) || !Topical(text[start + length - 1])) continue;
            return "\"" + string.Join(' ', text.AsSpan(start, length).ToArray()) + "\"";
        }
        return Word();
    }

    private string Near()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var text = _texts[_random.Next(_texts.Length)];
            if (text.Length < 5) continue;
            var start = _random.Next(text.Length - 4);
            var gap = _random.Next(2, 5);
            if (!Topical(text[start]) || !Topical(text[start + gap]) || text[start] == text[start + gap]) continue;
            return $"\"{text[start + gap]} {text[start]}\"~5";
        }
        return Word();
    }

    private string Prefix()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var w = Word();
            if (w.Length < 6 || !w.All(char.IsAsciiLetterLower)) continue;
            return w[.._random.Next(5, w.Length)] + "*";
        }
        return Word();
    }
}
