using System.Runtime.InteropServices;
using System.Text;
using Alerts.Core.Feeds;
using Alerts.Core.Feeds.Parsing;
using CsCheck;

namespace Alerts.Core.Tests.Feeds;

/// <summary>
/// The parser's shortcuts for well-formed input (no copy when nothing is repaired, whitespace collapsed on the way in,
/// common date shapes read exactly) give what the general code gives.
/// </summary>
public sealed class FeedParserFastPathTests
{
    // Whitespace as HtmlText.Collapse defines it, one character at a time: the reference the shortcuts are held to.
    private static string CollapseOneByOne(string text)
    {
        var output = new StringBuilder();
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || c == '\u200B')
            {
                space = output.Length > 0;
                continue;
            }
            if (space)
                output.Append(' ');
            space = false;
            output.Append(c);
        }
        return output.ToString();
    }

    private static readonly char[] Tricky = [' ', ' ', ' ', 'a', 'b', '\n', '\t', '\u00A0', '\u200B', '\u3000', '\u2029', '\u0085', '\u00E9', '\uD83D'];

    // Mostly spaces, letters and the odd whitespace characters; now and then any Latin-1 character.
    private static readonly Gen<string> Texts = Gen.Select(Gen.Int[0, Tricky.Length * 2], Gen.Char['\0', '\u00FF'], (k, any) => k < Tricky.Length ? Tricky[k] : k == Tricky.Length ? any : ' ')
        .Array[0, 80].Select(chars => new string(chars));

    [Fact]
    public void Collapsing_text_in_pieces_gives_what_collapsing_it_one_character_at_a_time_gives()
    {
        Gen.Select(Texts, Gen.Int[0, 80].Array[0, 6]).Sample(t =>
        {
            var (text, cuts) = t;
            using var written = new CollapsedText(4);
            var at = 0;
            foreach (var cut in cuts.Select(c => Math.Min(c, text.Length)).Order())
            {
                written.Append(text.AsSpan(at, Math.Max(0, cut - at)));
                at = Math.Max(at, cut);
            }
            written.Append(text.AsSpan(at));
            var expected = CollapseOneByOne(text);
            Assert.Equal(expected, written.ToString());
            Assert.Equal(expected, HtmlText.Collapse(text));
        }, iter: 20_000);
    }

    [Fact]
    public void Text_that_is_already_collapsed_comes_back_uncopied()
    {
        var text = "Stocks rose 2% on Monday, caf\u00e9 owners said.";
        Assert.Same(text, HtmlText.Collapse(text));
        Assert.Equal("a b", HtmlText.Collapse("a  b"));
        Assert.Equal("a b", HtmlText.Collapse("a\nb"));
        Assert.Equal("a", HtmlText.Collapse("a "));
    }

    [Fact]
    public void Html_to_text_collapses_across_tags_and_references()
    {
        Assert.Equal("one two three four", HtmlText.ToPlainText("<div>  one <b>two</b>&nbsp;\n three</div><p> four </p>"));
        Assert.Equal("a b", HtmlText.ToPlainText("<script>x</script>a  <!-- c -->  b"));
    }

    [Fact]
    public void A_document_that_needs_no_repair_is_its_own_text_uncopied()
    {
        const string xml = "<rss version=\"2.0\"><channel><title>T &amp; U</title><item><title><![CDATA[<p>x</p>]]></title></item></channel></rss>";
        var (repaired, repairs) = XmlRepair.Repair(xml, Budget());

        Assert.True(MemoryMarshal.TryGetString(repaired, out var source, out var start, out var length));
        Assert.Same(xml, source);
        Assert.Equal((0, xml.Length), (start, length));
        Assert.Equal("", repairs.ToString());
    }

    [Fact]
    public void A_document_that_needs_no_repair_loses_only_its_prolog_and_trailing_space_uncopied()
    {
        const string body = "<rss version=\"2.0\"><channel><title>T</title></channel></rss>";
        var xml = "<?xml version=\"1.0\"?>\n<!-- c -->\n" + body + "\n\n";
        var (repaired, _) = XmlRepair.Repair(xml, Budget());

        Assert.Equal(body, repaired.ToString());
        Assert.True(MemoryMarshal.TryGetString(repaired, out var source, out _, out _));
        Assert.Same(xml, source);
    }

    [Theory]
    [InlineData("<rss><channel><title>Fish &amp; chips</title><item><title>a&nbsp;b</title></item></channel></rss>",
        "<rss><channel><title>Fish &amp; chips</title><item><title>a\u00a0b</title></item></channel></rss>")]
    [InlineData("<rss><channel><title>T</title><item><title>a</title></channel></rss>",
        "<rss><channel><title>T</title><item><title>a</title></item></channel></rss>")]
    [InlineData("<rss><channel><title a='1'>T</title><x:y/></channel></rss>",
        "<rss><channel><title a=\"1\">T</title><x:y xmlns:x=\"urn:x-undeclared:x\"/></channel></rss>")]
    [InlineData("<rss><channel><title>T</title><item><title>cut off",
        "<rss><channel><title>T</title><item><title>cut off</title></item></channel></rss>")]
    public void A_repair_after_a_clean_stretch_keeps_the_stretch_and_repairs_the_rest(string xml, string expected)
    {
        var (repaired, repairs) = XmlRepair.Repair(xml, Budget());

        Assert.Equal(expected, repaired.ToString());
        Assert.NotEqual("", repairs.ToString());
    }

    [Theory]
    [InlineData("Mon, 02 Mar 2026 08:00:00 GMT", "2026-03-02T08:00:00Z")]
    [InlineData("Tue, 02 Mar 2026 08:00:00 GMT", "2026-03-02T08:00:00Z")] // wrong weekday: the date wins
    [InlineData("Mon, 2 Mar 2026 08:00:00 GMT", "2026-03-02T08:00:00Z")]
    [InlineData("2026-03-02T08:00:00Z", "2026-03-02T08:00:00Z")]
    [InlineData("2026-03-02T08:00:00+01:00", "2026-03-02T07:00:00Z")]
    [InlineData("2026-03-02T08:00:00-05:30", "2026-03-02T13:30:00Z")]
    [InlineData("2026-03-02T08:00:00.250Z", "2026-03-02T08:00:00.25Z")]
    public void Common_date_shapes_read_as_the_general_reading_reads_them(string raw, string expected)
    {
        var date = FeedDates.TryParse(raw);

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), date);
        Assert.Equal(TimeSpan.Zero, date!.Value.Offset);
    }

    private static ParseBudget Budget() => new(FeedParseLimits.Default, CancellationToken.None);
}
