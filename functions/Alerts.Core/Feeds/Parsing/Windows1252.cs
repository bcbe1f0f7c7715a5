using System.Text;

namespace Alerts.Core.Feeds.Parsing;

/// <summary>
/// C1 control characters (U+0080-U+009F) are never text in a feed: they are Windows-1252 bytes that went through a
/// Latin-1 or double UTF-8 decode. Mapped to the 1252 character (curly quotes, dashes, the euro sign), as browsers do.
/// </summary>
internal static class Windows1252
{
    private static readonly string Upper = BuildUpper();

    private static string BuildUpper()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var bytes = Enumerable.Range(0x80, 32).Select(b => (byte)b).ToArray();
        var text = Encoding.GetEncoding(1252, EncoderFallback.ReplacementFallback, new DecoderReplacementFallback("\0")).GetString(bytes);
        // The five bytes 1252 leaves undefined (81, 8D, 8F, 90, 9D) stay as they were, so they can be dropped as controls.
        return new string(text.Select((c, i) => c == '\0' ? (char)(0x80 + i) : c).ToArray());
    }

    public static char Map(char c) => c is >= '\u0080' and <= '\u009F' ? Upper[c - 0x80] : c;

    /// <summary>True for the five C1 positions 1252 leaves undefined.</summary>
    public static bool IsUndefined(char c) => c is >= '\u0080' and <= '\u009F' && Upper[c - 0x80] == c;
}
