using System.Text.RegularExpressions;
using Alerts.Core.Matching;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.Core.Tests.Matching;

/// <summary>
/// docs/query-language.md is the language's reference: these tests read its examples and check each against the
/// parser, the plain evaluator and the compiled index, so the document cannot drift from the engine.
/// </summary>
public sealed partial class QueryLanguageDocTests
{
    private static readonly string[] Doc = File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "docs", "query-language.md"));

    /// <summary>The rows of the first table after the heading, cells trimmed, without the header and rule.</summary>
    private static List<string[]> Table(string heading)
    {
        var start = Array.IndexOf(Doc, heading);
        Assert.True(start >= 0, $"docs/query-language.md has no \"{heading}\" heading");
        var rows = Doc.Skip(start + 1).SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|'))
            .Select(l => l.Trim().Trim('|').Split(" | ").Select(c => c.Trim()).ToArray())
            .Skip(2).ToList();
        Assert.NotEmpty(rows);
        return rows;
    }

    private static IEnumerable<string> CodeSpans(string cell) => CodeSpan().Matches(cell).Select(m => m.Groups[1].Value);

    public static TheoryData<string, string, bool> CheckedExamples()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var row in Table("## Examples, checked"))
        {
            Assert.Equal(3, row.Length);
            Assert.Contains(row[2], new[] { "yes", "no" });
            data.Add(Assert.Single(CodeSpans(row[0])), row[1], row[2] == "yes");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CheckedExamples))]
    public void Each_checked_example_matches_as_the_document_says_in_both_engines(string query, string article, bool matches)
    {
        var fields = ArticleField().Matches(article).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        Assert.NotEmpty(fields);
        var document = new MatchDocument(fields.GetValueOrDefault("title", ""), fields.GetValueOrDefault("text", ""), fields.GetValueOrDefault("site", ""));
        var evaluated = QueryEvaluator.Evaluate(QueryParser.Parse(query), document);
        Assert.True(matches == evaluated is not null, $"{query} on {article}: the document says {(matches ? "yes" : "no")}");
        var index = new SubscriptionIndex();
        index.Upsert("q", query);
        var indexed = index.Match(document);
        if (matches) Assert.Equal(evaluated, Assert.Single(indexed).Hits);
        else Assert.Empty(indexed);
    }

    [Fact]
    public void Every_query_in_the_examples_table_parses_and_queries_given_as_alternatives_are_the_same()
    {
        var alternatives = 0;
        foreach (var row in Table("## Examples"))
        {
            var queries = CodeSpans(row[0]).ToArray();
            Assert.NotEmpty(queries);
            var canonical = queries.Select(q => QueryParser.Parse(q).ToString()).ToArray();
            // "a / b" in the first column: two ways to write one query.
            if (row[0].Contains("` / `", StringComparison.Ordinal))
            {
                Assert.All(canonical, c => Assert.Equal(canonical[0], c));
                alternatives++;
            }
        }
        Assert.True(alternatives >= 3, "the examples table lost its alias rows (title:/intitle:, site:/inurl:, -/NOT)");
    }

    [Fact]
    public void Every_documented_error_is_the_parsers_message_word_for_word()
    {
        var errors = Doc.SkipWhile(l => l != "## Limits and errors").Select(l => ErrorExample().Match(l)).Where(m => m.Success).ToList();
        Assert.True(errors.Count >= 8, $"found {errors.Count} error examples");
        foreach (var m in errors)
        {
            var e = Assert.Throws<QueryParseException>(() => QueryParser.Parse(m.Groups["query"].Value));
            Assert.Equal(m.Groups["message"].Value, e.Message);
        }
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex("(title|text|site): `([^`]*)`")]
    private static partial Regex ArticleField();

    [GeneratedRegex("^\\s*\\* `(?<query>[^`]+)` → \"(?<message>.*)\"\\s*$")]
    private static partial Regex ErrorExample();
}
