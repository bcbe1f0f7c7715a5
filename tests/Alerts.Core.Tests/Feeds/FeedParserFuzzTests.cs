using System.Text;
using Alerts.Core.Feeds;
using CsCheck;

namespace Alerts.Core.Tests.Feeds;

/// <summary>
/// Random mutations of valid feeds (truncation, byte flips, entity noise, markup noise, deep nesting): the parser
/// never throws, its counted work stays linear in the document's size, and every item that ends before the first
/// mutated byte comes out exactly as it went in.
/// </summary>
public sealed class FeedParserFuzzTests
{
    // Work per input byte, measured on the conformance corpus at about 3; the bound leaves room, a quadratic path would not fit.
    private const int WorkPerByte = 12;
    private const int WorkSlack = 20_000;

    private static readonly string[] Noise =
    [
        "&nbsp;", "&", "&#X41;", "&bogus;", "&#0;", "&amp", "&HELLIP;", "<", "]]>", "<!--", "\u0001", "<![CDATA[", "</item>", "</channel>",
        "<item>", "\"", "'", "<a href=\"", "<!DOCTYPE x [<!ENTITY e \"eee\">]>", "&e;", "\u0093", "<script ", "</", "<x:y>", "=",
    ];

    public enum Mutation { Truncate, Flip, Entity, Delete, DeepNest, Garbage }

    public sealed record Case(bool Atom, int Items, int Victim, Mutation Kind, int Offset, byte Byte, int Depth, string Noise, byte[] Garbage)
    {
        public override string ToString() => $"{(Atom ? "atom" : "rss")} items={Items} victim={Victim} {Kind} offset={Offset} byte={Byte} depth={Depth} noise={Noise}";
    }

    private static readonly Gen<Case> Cases =
        from atom in Gen.Bool
        from items in Gen.Int[2, 12]
        from victim in Gen.Int[1, items - 1]
        from kind in Gen.Enum<Mutation>()
        from offset in Gen.Int[0, 1_000_000]
        from b in Gen.Byte
        from depth in Gen.Int[1, 5_000]
        from noise in Gen.OneOf(Noise)
        from garbage in Gen.Byte.Array[1, 40]
        select new Case(atom, items, victim, kind, offset, b, depth, noise, garbage);

    [Fact]
    public void Mutated_feeds_never_throw_cost_linear_work_and_keep_every_item_before_the_damage()
    {
        var parser = new FeedParser();
        Cases.Sample(c =>
        {
            var (body, itemStarts) = Build(c.Atom, c.Items);
            var damageAt = itemStarts[c.Victim] + c.Offset % (body.Length - itemStarts[c.Victim]);
            var mutated = Mutate(body, damageAt, c);

            var (feed, error, work) = parser.Measure(mutated, "https://fuzz.example.test/feed.xml");

            Assert.True(work <= (long)WorkPerByte * mutated.Length + WorkSlack, $"{work} work for {mutated.Length} bytes");
            Assert.True(feed is not null, $"{c}: {error}");
            for (var i = 0; i < c.Victim; i++)
            {
                var expected = Expected(c.Atom, i);
                var got = feed.Items.FirstOrDefault(item => item.Guid == expected.Guid);
                Assert.True(got is not null, $"{c}: item {i} lost");
                Assert.Equal(expected.Title, got.Title);
                Assert.Equal(expected.Link, got.Link);
                Assert.Equal(expected.Summary, got.Summary);
                Assert.Equal(expected.PublishedAt, got.PublishedAt);
            }
        }, iter: 600, threads: 1);
    }

    [Fact]
    public void Work_grows_linearly_with_hostile_shapes()
    {
        var parser = new FeedParser();
        foreach (var shape in new Func<int, string>[]
        {
            n => Rss(string.Concat(Enumerable.Repeat("<div>", n))),
            n => Rss(string.Concat(Enumerable.Repeat("<a><b>", n / 2)) + string.Concat(Enumerable.Repeat("</a>", n / 2))),
            n => Rss("<description>" + string.Concat(Enumerable.Repeat("&lt;div&gt;", n)) + "</description>"),
            n => Rss("<description>" + string.Concat(Enumerable.Repeat("&lt;script ", n)) + "</description>"),
            n => Rss(string.Concat(Enumerable.Repeat("<x:a xmlns:x='u'>", n))),
            n => Rss(string.Concat(Enumerable.Repeat("&nbsp;&", n))),
            n => Rss(string.Concat(Enumerable.Repeat("<item><title>t</title></item>", n))),
        })
        {
            var small = Encoding.UTF8.GetBytes(shape(20_000));
            var large = Encoding.UTF8.GetBytes(shape(80_000));
            var smallWork = parser.Measure(small).Work;
            var largeWork = parser.Measure(large).Work;
            // Four times the input: at most about four times the work (quadratic would be sixteen).
            Assert.True(largeWork <= 4.5 * smallWork + WorkSlack, $"{smallWork} → {largeWork} for {small.Length} → {large.Length} bytes");
            Assert.True(largeWork <= (long)WorkPerByte * large.Length + WorkSlack, $"{largeWork} work for {large.Length} bytes");
        }
    }

    private static string Rss(string inside) =>
        "<rss version=\"2.0\"><channel><title>t</title><item><title>kept</title><guid>k</guid></item><item><title>x</title>" + inside + "</item></channel></rss>";

    private static ParsedItem Expected(bool atom, int i) => new(
        $"urn:fuzz:{i}", $"https://fuzz.example.test/story/{i}", $"Story {i} \u2013 caf\u00e9 & co", $"Summary {i} with bold text",
        "", new DateTimeOffset(2026, 3, 2, 8, i, 0, TimeSpan.Zero));

    /// <summary>A feed of <paramref name="count"/> items (entities, markup and CDATA in each), with each item's byte offset.</summary>
    private static (byte[] Body, int[] ItemStarts) Build(bool atom, int count)
    {
        var text = new StringBuilder();
        text.Append(atom
            ? "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Fuzz</title><link href=\"https://fuzz.example.test/\"/>\n"
            : "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>Fuzz</title><link>https://fuzz.example.test/</link>\n");
        var starts = new int[count];
        for (var i = 0; i < count; i++)
        {
            starts[i] = Encoding.UTF8.GetByteCount(text.ToString());
            text.Append(atom
                ? $"<entry><id>urn:fuzz:{i}</id><title type=\"html\">Story {i} &amp;ndash; caf&amp;eacute; &amp;amp; co</title><link href=\"/story/{i}\"/>" +
                  $"<published>2026-03-02T08:{i:00}:00Z</published><summary type=\"html\"><![CDATA[Summary {i} with <b>bold</b> text]]></summary></entry>\n"
                : $"<item><guid isPermaLink=\"false\">urn:fuzz:{i}</guid><title>Story {i} &ndash; caf&eacute; &amp; co</title><link>/story/{i}</link>" +
                  $"<pubDate>Mon, 02 Mar 2026 08:{i:00}:00 GMT</pubDate><description>Summary {i} with &lt;b&gt;bold&lt;/b&gt; text</description></item>\n");
        }
        text.Append(atom ? "</feed>\n" : "</channel></rss>\n");
        return (Encoding.UTF8.GetBytes(text.ToString()), starts);
    }

    private static byte[] Mutate(byte[] body, int at, Case c)
    {
        byte[] Insert(byte[] bytes) => [.. body[..at], .. bytes, .. body[at..]];
        return c.Kind switch
        {
            Mutation.Truncate => body[..at],
            Mutation.Flip => [.. body[..at], c.Byte, .. body[(at + 1)..]],
            Mutation.Entity => Insert(Encoding.UTF8.GetBytes(c.Noise)),
            Mutation.Delete => [.. body[..at], .. body[Math.Min(body.Length, at + 1 + c.Depth % 64)..]],
            Mutation.DeepNest => Insert(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(c.Depth % 2 == 0 ? "<div>" : "<x>", c.Depth)))),
            _ => Insert(c.Garbage),
        };
    }
}
