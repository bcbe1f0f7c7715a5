using System.Text;
using System.Text.RegularExpressions;

namespace Alerts.Core.Feeds;

/// <summary>
/// Decodes feed bytes: the BOM first, then the XML declaration, then the HTTP charset, else UTF-8. The document's
/// own declaration wins over HTTP because feed files are copied between servers far more often than servers are
/// configured per file. ISO-8859-1 and US-ASCII are read as Windows-1252, as browsers do (publishers who say Latin-1
/// routinely send curly quotes from 1252). Bytes that are not valid UTF-8 in a UTF-8 document are read as 1252 one
/// by one, which repairs the common "mostly UTF-8, a few pasted 1252 characters" feed instead of failing it.
/// </summary>
public static partial class FeedEncoding
{
    static FeedEncoding() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static Encoding Windows1252 => Encoding.GetEncoding(1252);

    [GeneratedRegex("""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""", RegexOptions.CultureInvariant)]
    private static partial Regex Declaration();

    [GeneratedRegex("""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Charset();

    [GeneratedRegex("""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])[A-Za-z0-9._:-]+(["'])""", RegexOptions.CultureInvariant)]
    private static partial Regex DeclarationValue();

    public static string Decode(byte[] body, string? contentType)
    {
        var span = body.AsSpan();
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            return Utf8Lenient(span[3..]);
        if (span.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
            return Encoding.Unicode.GetString(span[2..]);
        if (span.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
            return Encoding.BigEndianUnicode.GetString(span[2..]);
        // UTF-16 without a BOM still starts "<?" with zero bytes in between.
        if (span.StartsWith((ReadOnlySpan<byte>)[0x3C, 0x00, 0x3F, 0x00]))
            return Encoding.Unicode.GetString(span);
        if (span.StartsWith((ReadOnlySpan<byte>)[0x00, 0x3C, 0x00, 0x3F]))
            return Encoding.BigEndianUnicode.GetString(span);

        var head = Encoding.ASCII.GetString(span[..Math.Min(span.Length, 256)]);
        var name = Declaration().Match(head) is { Success: true } declared ? declared.Groups[1].Value
            : contentType is not null && Charset().Match(contentType) is { Success: true } charset ? charset.Groups[1].Value
            : "utf-8";
        var encoding = Resolve(name);
        return encoding is UTF8Encoding ? Utf8Lenient(span) : encoding.GetString(span);
    }

    /// <summary>The text as UTF-8 bytes, its XML declaration saying so, for a parser that decodes by the declaration.</summary>
    public static byte[] ToUtf8Xml(string text) =>
        Encoding.UTF8.GetBytes(DeclarationValue().Replace(text, "${1}utf-8${2}", 1));

    private static Encoding Resolve(string name)
    {
        switch (name.Trim().ToLowerInvariant())
        {
            case "iso-8859-1" or "iso8859-1" or "latin1" or "latin-1" or "l1" or "us-ascii" or "ascii" or "cp1252" or "windows-1252":
                return Windows1252;
            case "utf-16" or "utf16":
                return Encoding.Unicode;
        }
        try
        {
            return Encoding.GetEncoding(name);
        }
        catch (ArgumentException)
        {
            return Encoding.UTF8; // an unknown label: UTF-8 with the 1252 repair is the best guess
        }
    }

    private static string Utf8Lenient(ReadOnlySpan<byte> bytes)
    {
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        try
        {
            return strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            var lenient = (Encoding)Encoding.UTF8.Clone();
            lenient.DecoderFallback = new Windows1252Fallback();
            return lenient.GetString(bytes);
        }
    }

    /// <summary>Reads each byte that is not valid UTF-8 as its Windows-1252 character.</summary>
    private sealed class Windows1252Fallback : DecoderFallback
    {
        public override int MaxCharCount => 4;

        public override DecoderFallbackBuffer CreateFallbackBuffer() => new Buffer();

        private sealed class Buffer : DecoderFallbackBuffer
        {
            private string _chars = "";
            private int _next;

            public override int Remaining => _chars.Length - _next;

            public override bool Fallback(byte[] bytesUnknown, int index)
            {
                _chars = Windows1252.GetString(bytesUnknown);
                _next = 0;
                return true;
            }

            public override char GetNextChar() => _next < _chars.Length ? _chars[_next++] : '\0';

            public override bool MovePrevious()
            {
                if (_next == 0)
                    return false;
                _next--;
                return true;
            }

            public override void Reset()
            {
                _chars = "";
                _next = 0;
            }
        }
    }
}
