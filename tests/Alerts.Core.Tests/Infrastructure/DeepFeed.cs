using System.Text;

namespace Alerts.Core.Tests.Infrastructure;

/// <summary>A hostile but small feed: one item whose description nests elements <c>depth</c> deep.</summary>
public static class DeepFeed
{
    /// <summary>At 80,000 levels this is about 560 KB, well under the size limit, and costs XLinq-based parsers many CPU-seconds.</summary>
    public static byte[] Build(int depth)
    {
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Deep</title>")
            .Append("<item><title>Deep item</title><link>https://deep.test/1</link><description>");
        for (var i = 0; i < depth; i++)
            xml.Append("<a>");
        for (var i = 0; i < depth; i++)
            xml.Append("</a>");
        xml.Append("</description></item></channel></rss>");
        return Encoding.UTF8.GetBytes(xml.ToString());
    }

    /// <summary>
    /// The costliest shape found for the liberal parser (see the parse-worst benchmark): 60 open elements, then end
    /// tags that close nothing up to about 5 MB (the response cap). About 0.7 s of CPU on the 2-core CI machine, so a
    /// budget of 100 ms is always exceeded; a depth-limited, linear parser still takes longer than that.
    /// </summary>
    public static byte[] Costly()
    {
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Costly</title>")
            .Append("<item><title>Costly item</title><link>https://costly.test/1</link><description>");
        for (var i = 0; i < 60; i++)
            xml.Append("<a>");
        while (xml.Length < 5_000_000)
            xml.Append("</b>");
        xml.Append("</description></item></channel></rss>");
        return Encoding.UTF8.GetBytes(xml.ToString());
    }
}
