namespace Alerts.Core.Matching;

/// <summary>Which part of the article a text query looks at. <see cref="Any"/> is title plus body.</summary>
public enum FieldScope : byte { Any = 0, Title = 1, Body = 2 }

/// <summary>
/// A parsed query. Terms are stored folded (see <see cref="TextAnalyzer"/>). <see cref="ToString"/> is canonical:
/// parsing it again gives the same tree and the same string.
/// </summary>
public abstract record Query
{
    private protected static string Scoped(FieldScope scope, string text) => scope switch
    {
        FieldScope.Title => "title:" + text,
        FieldScope.Body => "body:" + text,
        _ => text,
    };
}

/// <summary>One folded word.</summary>
public sealed record TermQuery(string Term, FieldScope Scope = FieldScope.Any) : Query
{
    public override string ToString() => Scoped(Scope, Term);
}

/// <summary>Words starting with <see cref="Prefix"/> (at least 3 characters).</summary>
public sealed record PrefixQuery(string Prefix, FieldScope Scope = FieldScope.Any) : Query
{
    public override string ToString() => Scoped(Scope, Prefix + "*");
}

/// <summary>Consecutive words, or with <see cref="Distance"/> &gt; 0 the words in any order with all of them
/// within <see cref="Distance"/> positions of each other. A term that ends in '*' is a prefix
/// (<c>"mobile phon*"</c>): folded words hold only letters and digits, so the mark cannot clash with one.</summary>
public sealed record PhraseQuery(IReadOnlyList<string> Terms, int Distance = 0, FieldScope Scope = FieldScope.Any) : Query
{
    public static bool IsPrefix(string term) => term.EndsWith('*');

    /// <summary>The stem of a prefix term, or the term itself.</summary>
    public static string Stem(string term) => IsPrefix(term) ? term[..^1] : term;

    public override string ToString() =>
        Scoped(Scope, "\"" + string.Join(' ', Terms) + "\"" + (Distance > 0 ? "~" + Distance : ""));

    public bool Equals(PhraseQuery? other) =>
        other is not null && Distance == other.Distance && Scope == other.Scope && Terms.SequenceEqual(other.Terms);

    public override int GetHashCode() => HashCode.Combine(Distance, Scope, Terms.Count, Terms.Count > 0 ? Terms[0] : "");
}

/// <summary>The article's site host is <see cref="Domain"/> or a subdomain of it.</summary>
public sealed record SiteQuery(string Domain) : Query
{
    public override string ToString() => "site:" + Domain;
}

public sealed record AndQuery(IReadOnlyList<Query> Children) : Query
{
    public override string ToString() =>
        string.Join(" AND ", Children.Select(c => c is OrQuery ? "(" + c + ")" : c.ToString()));

    public bool Equals(AndQuery? other) => other is not null && Children.SequenceEqual(other.Children);
    public override int GetHashCode() => Children.Count;
}

public sealed record OrQuery(IReadOnlyList<Query> Children) : Query
{
    public override string ToString() => string.Join(" OR ", Children.Select(c => c.ToString()));

    public bool Equals(OrQuery? other) => other is not null && Children.SequenceEqual(other.Children);
    public override int GetHashCode() => Children.Count;
}

/// <summary>Documents that do not match <see cref="Child"/>. On its own it matches everything else.</summary>
public sealed record NotQuery(Query Child) : Query
{
    public override string ToString() => "NOT " + (Child is AndQuery or OrQuery ? "(" + Child + ")" : Child.ToString());
}
