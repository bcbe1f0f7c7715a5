namespace Alerts.Core.Matching;

/// <summary>
/// Parses the alert query language (docs/query-language.md). Recursive descent over a small token list;
/// every failure is a <see cref="QueryParseException"/> that says in plain words what is wrong and how to fix it,
/// with the offset it points at in <see cref="QueryParseException.Position"/> (pages underline that spot).
/// Curly and other typographic quotes count as '"', because phones type them; <c>intitle:</c> and <c>inurl:</c>
/// are aliases of <c>title:</c> and <c>site:</c>, as people know them from web search.
/// </summary>
public static class QueryParser
{
    public const int MaxLength = 500;
    public const int MaxTerms = 50;
    public const int MaxDepth = 10;
    public const int MaxDistance = 100;
    public const int MinPrefixLength = 3;

    public static Query Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength)
            throw new QueryParseException($"This query is {text.Length} characters long; the limit is {MaxLength}. Shorten it, or split it into several alerts.", MaxLength);
        var parser = new Parser(Lex(StraightenQuotes(text)));
        return parser.ParseQuery();
    }

    /// <summary>Parses, or returns null with the error (for previews and validation endpoints).</summary>
    public static Query? TryParse(string text, out QueryParseException? error)
    {
        try { error = null; return Parse(text); }
        catch (QueryParseException e) { error = e; return null; }
    }

    private enum Kind { LParen, RParen, And, Or, Not, Minus, Field, Word, Phrase, Site, End }

    private readonly record struct Tok(Kind Kind, int Pos, string Text = "", int Distance = 0, FieldScope Scope = FieldScope.Any);

    private static QueryParseException Error(string what, int pos) => new(what, pos);

    /// <summary>The quotation marks people type instead of '"' (phone keyboards, word processors, other
    /// languages), each one character, so positions stay those of the text as typed.</summary>
    private const string TypographicQuotes = "\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB\u300C\u300D\uFF02";

    private static string StraightenQuotes(string text) =>
        text.AsSpan().IndexOfAny(TypographicQuotes) < 0
            ? text
            : string.Create(text.Length, text, (span, source) =>
            {
                for (var i = 0; i < source.Length; i++)
                    span[i] = TypographicQuotes.Contains(source[i]) ? '"' : source[i];
            });

    /// <summary>A short piece of the query for an error message, in quotes.</summary>
    private static string Quote(string text) => "\u201C" + (text.Length > 30 ? text[..30] + "\u2026" : text) + "\u201D";

    private static List<Tok> Lex(string s)
    {
        var tokens = new List<Tok>();
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '(') { tokens.Add(new Tok(Kind.LParen, i)); i++; continue; }
            if (c == ')') { tokens.Add(new Tok(Kind.RParen, i)); i++; continue; }
            if (c == '"')
            {
                var close = s.IndexOf('"', i + 1);
                if (close < 0) throw Error($"This quote is never closed: add a closing \" after {Quote(s[(i + 1)..].TrimEnd())}.", s.Length);
                var k = close + 1;
                var distance = 0;
                if (k < s.Length && s[k] == '~')
                {
                    var d = k + 1;
                    while (d < s.Length && char.IsAsciiDigit(s[d])) d++;
                    if (d == k + 1 || d - (k + 1) > 3 || (distance = int.Parse(s.AsSpan(k + 1, d - k - 1))) is < 1 or > MaxDistance)
                        throw Error($"After ~ put a number from 1 to {MaxDistance}: how many words apart the phrase's words may be (for example \"tax cut\"~5).", k + 1);
                    k = d;
                }
                tokens.Add(new Tok(Kind.Phrase, i, s[(i + 1)..close], distance));
                i = k;
                continue;
            }
            if (c == '-' && i + 1 < s.Length && !char.IsWhiteSpace(s[i + 1]) && s[i + 1] != ')')
            {
                tokens.Add(new Tok(Kind.Minus, i));
                i++;
                continue;
            }
            var j = i;
            while (j < s.Length && !char.IsWhiteSpace(s[j]) && s[j] is not ('(' or ')' or '"')) j++;
            var word = s[i..j];
            switch (word)
            {
                case "AND": tokens.Add(new Tok(Kind.And, i)); i = j; continue;
                case "OR": tokens.Add(new Tok(Kind.Or, i)); i = j; continue;
                case "NOT": tokens.Add(new Tok(Kind.Not, i)); i = j; continue;
            }
            var colon = word.IndexOf(':');
            var field = colon > 0 ? word[..colon].ToLowerInvariant() : "";
            if (field is "site" or "inurl")
            {
                tokens.Add(new Tok(Kind.Site, i, ParseDomain(field, word[(colon + 1)..], i + colon + 1)));
                i = j;
                continue;
            }
            if (field is "title" or "intitle" or "body")
            {
                tokens.Add(new Tok(Kind.Field, i, field, Scope: field == "body" ? FieldScope.Body : FieldScope.Title));
                i += colon + 1;
                // "title:" must be glued to what it applies to.
                if (i == j && (j >= s.Length || s[j] is not ('(' or '"')))
                    throw Error(FieldNeedsTerm(field), i);
                continue;
            }
            tokens.Add(new Tok(Kind.Word, i, word));
            i = j;
        }
        tokens.Add(new Tok(Kind.End, s.Length));
        return tokens;
    }

    private static string ParseDomain(string field, string value, int pos)
    {
        var (host, _, _) = TextAnalyzer.SiteHost(value);
        var ok = host.Length > 0 && host[0] != '.' && !host.Contains("..", StringComparison.Ordinal)
            && host.All(ch => char.IsLetterOrDigit(ch) || ch is '-' or '.');
        if (!ok) throw Error($"After {field}: put a domain such as example.com, with no space (for example {field}:reuters.com).", pos);
        return host;
    }

    private static string FieldNeedsTerm(string field) =>
        $"Put a word, a \"phrase\" or a ( right after {field}:, with no space (for example {field}:DACA).";

    private sealed class Parser(List<Tok> tokens)
    {
        private static readonly string PrefixTooShort =
            $"Put at least {MinPrefixLength} letters or digits before * (a shorter start would match almost everything).";

        private static readonly string TooDeep = $"The query nests parentheses or NOTs more than {MaxDepth} levels deep: simplify it.";

        private int _index;
        private int _terms;
        private FieldScope _scope = FieldScope.Any;

        private Tok Peek => tokens[_index];

        public Query ParseQuery()
        {
            var query = ParseOr(0);
            var t = Peek;
            if (t.Kind == Kind.RParen) throw Error("This ) closes nothing: remove it, or add a ( before it.", t.Pos);
            if (t.Kind != Kind.End) throw Error("The query should end here, or go on with AND, OR or NOT.", t.Pos);
            return query;
        }

        private Query ParseOr(int depth)
        {
            var children = new List<Query>();
            Add(children, ParseAnd(depth), flattenOr: true);
            while (Peek.Kind == Kind.Or)
            {
                _index++;
                Add(children, ParseAnd(depth), flattenOr: true);
            }
            return children.Count == 1 ? children[0] : new OrQuery(children);
        }

        private Query ParseAnd(int depth)
        {
            var children = new List<Query>();
            Add(children, ParseUnary(depth), flattenOr: false);
            while (true)
            {
                var kind = Peek.Kind;
                if (kind == Kind.And) { _index++; Add(children, ParseUnary(depth), flattenOr: false); }
                else if (kind is Kind.Word or Kind.Phrase or Kind.Site or Kind.Field or Kind.LParen or Kind.Not or Kind.Minus)
                    Add(children, ParseUnary(depth), flattenOr: false);
                else break;
            }
            return children.Count == 1 ? children[0] : new AndQuery(children);
        }

        private static void Add(List<Query> list, Query q, bool flattenOr)
        {
            // Canonical form: (a AND b) AND c is a AND b AND c.
            if (flattenOr && q is OrQuery or) list.AddRange(or.Children);
            else if (!flattenOr && q is AndQuery and) list.AddRange(and.Children);
            else list.Add(q);
        }

        private Query ParseUnary(int depth)
        {
            var t = Peek;
            if (t.Kind is Kind.Not or Kind.Minus)
            {
                if (depth + 1 > MaxDepth) throw Error(TooDeep, t.Pos);
                _index++;
                return new NotQuery(ParseUnary(depth + 1));
            }
            return ParsePrimary(depth);
        }

        private Query ParsePrimary(int depth)
        {
            var t = Peek;
            switch (t.Kind)
            {
                case Kind.LParen:
                {
                    if (depth + 1 > MaxDepth) throw Error(TooDeep, t.Pos);
                    _index++;
                    var inner = ParseOr(depth + 1);
                    if (Peek.Kind != Kind.RParen) throw Error("This ( is never closed: add a ) where the group ends.", Peek.Pos);
                    _index++;
                    return inner;
                }
                case Kind.Field:
                {
                    _index++;
                    if (Peek.Kind is not (Kind.LParen or Kind.Phrase or Kind.Word or Kind.Field) || Peek.Pos != t.Pos + t.Text.Length + 1)
                        throw Error(FieldNeedsTerm(t.Text), t.Pos + t.Text.Length + 1);
                    var saved = _scope;
                    _scope = t.Scope;
                    var inner = ParsePrimary(depth);
                    _scope = saved;
                    return inner;
                }
                case Kind.Site:
                    _index++;
                    CountTerms(1, t.Pos);
                    return new SiteQuery(t.Text);
                case Kind.Phrase:
                    _index++;
                    return Phrase(t);
                case Kind.Word:
                    _index++;
                    return Word(t);
                default:
                    throw Error(t.Kind switch
                    {
                        Kind.End when t.Pos == 0 || tokens.Count == 1 => "Type a word or a \"phrase\" to look for.",
                        Kind.End => "The query stops too early: add a word or a \"phrase\" at the end.",
                        Kind.RParen => "Put a word or a \"phrase\" before this ).",
                        _ => $"A word or a \"phrase\" is missing before {t.Kind.ToString().ToUpperInvariant()}.",
                    }, t.Pos);
            }
        }

        private void CountTerms(int n, int pos)
        {
            _terms += n;
            if (_terms > MaxTerms) throw Error($"Too many terms: an alert looks for at most {MaxTerms} words. Split it into several alerts.", pos);
        }

        private Query Phrase(Tok t)
        {
            // A word of the phrase followed by '*' is a prefix: "mobile phon*".
            var tokens = TextAnalyzer.Tokenize(t.Text);
            var prefixes = new bool[tokens.Count];
            for (var i = 0; i < tokens.Count; i++)
            {
                var end = tokens[i].Start + tokens[i].Length;
                prefixes[i] = end < t.Text.Length && t.Text[end] == '*';
                if (prefixes[i] && tokens[i].Term.Length < MinPrefixLength)
                    throw Error(PrefixTooShort, t.Pos + 1 + end);
            }
            var terms = Compounds(t.Text, tokens, prefixes);
            if (terms.Length == 0) throw Error("This phrase has no letters or digits to look for.", t.Pos);
            CountTerms(terms.Length, t.Pos);
            if (terms.Length == 1)
                return PhraseQuery.IsPrefix(terms[0]) ? new PrefixQuery(PhraseQuery.Stem(terms[0]), _scope) : new TermQuery(terms[0], _scope);
            if (t.Distance > 0 && t.Distance < terms.Length - 1)
                throw Error($"{terms.Length} words need a distance of at least {terms.Length - 1} after ~ (for example ~{terms.Length - 1}).", t.Pos + t.Text.Length + 3);
            return new PhraseQuery(terms, t.Distance, _scope);
        }

        private Query Word(Tok t)
        {
            var word = t.Text;
            if (word.EndsWith('*'))
            {
                var stem = TextAnalyzer.Tokenize(word.TrimEnd('*'));
                if (stem.Count == 0 || stem[^1].Term.Length < MinPrefixLength)
                    throw Error(PrefixTooShort, t.Pos);
                CountTerms(stem.Count, t.Pos);
                if (stem.Count == 1) return new PrefixQuery(stem[0].Term, _scope);
                // "anti-terror*" is several words, like "covid-19": a phrase whose last word is the prefix.
                return new PhraseQuery([.. stem.Take(stem.Count - 1).Select(x => x.Term), stem[^1].Term + "*"], 0, _scope);
            }
            var tokens = TextAnalyzer.Tokenize(word);
            if (tokens.Count == 0) throw Error($"{Quote(word)} has no letters or digits to look for: remove it, or use AND, OR or NOT.", t.Pos);
            // "e-mail" is the word email (articles index a hyphenated word joined too); "DACA's" is several
            // tokens that must appear together, like a phrase.
            var terms = Compounds(word, tokens, new bool[tokens.Count]);
            CountTerms(terms.Length, t.Pos);
            return terms.Length == 1 ? new TermQuery(terms[0], _scope) : new PhraseQuery(terms, 0, _scope);
        }

        /// <summary>The terms of a word or phrase: each hyphenated word joined into one (as articles index it,
        /// <see cref="TextAnalyzer.CompoundEnd"/>), a prefix part marked with '*' and never joined.</summary>
        private static string[] Compounds(string text, IReadOnlyList<TextToken> tokens, bool[] prefixes)
        {
            var terms = new List<string>(tokens.Count);
            for (var i = 0; i < tokens.Count; i++)
            {
                var last = TextAnalyzer.CompoundEnd(text, tokens, i);
                var joinable = last > i;
                for (var k = i; k <= last && joinable; k++) joinable = !prefixes[k];
                var joined = joinable ? string.Concat(tokens.Skip(i).Take(last - i + 1).Select(x => x.Term)) : "";
                // (Joined CJK would print as one word yet read back as several: keep such parts apart.)
                if (joinable && joined.Length <= TextAnalyzer.MaxCompoundLength && TextAnalyzer.Tokenize(joined).Count == 1)
                {
                    terms.Add(joined);
                    i = last;
                }
                else terms.Add(prefixes[i] ? tokens[i].Term + "*" : tokens[i].Term);
            }
            return [.. terms];
        }
    }
}
