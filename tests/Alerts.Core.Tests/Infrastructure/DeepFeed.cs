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
}
