using System.Buffers;
using System.Xml;

namespace Alerts.Core.Feeds.Parsing;

/// <summary>
/// One linear pass that turns what feeds in the wild send into well-formed XML, the way a forgiving reader would
/// read it: HTML entities become characters, a bare '&amp;' or '&lt;' is escaped, unclosed and misnested elements
/// are closed where their parent ends, a truncated document is closed where it stops, undeclared prefixes are
/// declared, characters XML cannot hold are dropped (C1 controls read as Windows-1252), junk before and after the
/// document is ignored. Nesting deeper than the limit is flattened and the element cap ends the document, so what
/// follows costs the same whatever the document's shape. Declared entities are kept for the XML reader, which caps
/// their expansion. A document that needs no repair is not copied (<see cref="RepairOutput"/>).
/// </summary>
internal sealed class XmlRepair
{
    // What a run of text or CDATA is made of in the common case: printable ASCII and line breaks. Scanning for
    // anything else is vectorised; other characters are then looked at one by one.
    private static readonly SearchValues<char> OrdinaryText = SearchValues.Create(
        "\t\n\r" + new string(Enumerable.Range(0x20, 0x5F).Select(c => (char)c).Where(c => c is not ('<' or '&' or '>')).ToArray()));

    private static readonly SearchValues<char> OrdinaryCData = SearchValues.Create(
        "\t\n\r" + new string(Enumerable.Range(0x20, 0x5F).Select(c => (char)c).ToArray()));

    /// <summary>A character XML holds as it is (not markup, not a C1 control, not a surrogate half).</summary>
    private static bool IsPlain(char c) => c is >= '\u00A0' and < '\uD800' or >= '\uE000' and < '\uFFFE';

    // Markup that PHP warnings and CMS banners put before the feed; the document element is what follows them.
    private static readonly HashSet<string> Preamble = new(StringComparer.OrdinalIgnoreCase)
        { "br", "b", "i", "u", "p", "font", "span", "strong", "em", "a", "div", "table", "tr", "td", "pre", "code", "hr", "meta", "link" };

    private const int MaxAttributes = 256;

    private readonly string _s;
    private readonly int _end;
    private readonly RepairOutput _o;
    private readonly ParseBudget _budget;
    private readonly FeedRepairs _repairs = new();
    private readonly List<Frame> _open = [];
    private readonly HashSet<string> _declaredEntities = new(StringComparer.Ordinal);
    private readonly List<(string Name, string Value)> _attributes = [];
    private readonly HashSet<string> _attributeNames = new(StringComparer.Ordinal);
    private int _i;
    private int _elements;
    private bool _rootClosed;

    private sealed record Frame(string Name, HashSet<string>? Prefixes);

    private XmlRepair(string text, ParseBudget budget)
    {
        _s = text;
        _end = Math.Min(text.Length, budget.Limits.MaxCharacters);
        _o = new RepairOutput(text, _end + _end / 16 + 64);
        _budget = budget;
    }

    /// <summary>The repaired document: where nothing needed repair, the stretch of <paramref name="text"/> it is, uncopied.</summary>
    public static (ReadOnlyMemory<char> Xml, FeedRepairs Repairs) Repair(string text, ParseBudget budget)
    {
        var repair = new XmlRepair(text, budget);
        repair.Run();
        return (repair._o.ToMemory(), repair._repairs);
    }

    private bool InRoot => _open.Count > 0;

    private void Run()
    {
        if (_end < _s.Length)
            _repairs.Truncated = true;
        while (_i < _end)
        {
            var before = _i;
            _o.StartAt(_i);
            if (!Step())
            {
                _budget.Add(_end - before);
                break;
            }
            _budget.Add(_i - before + 1);
        }
        if (_open.Count > 0)
        {
            _repairs.Truncated = true;
            _repairs.UnclosedElements += _open.Count;
            while (_open.Count > 0)
                CloseTop();
        }
    }

    /// <summary>Reads one token; false when the rest of the document is not read (truncated, cut, or after its end).</summary>
    private bool Step()
    {
        var c = _s[_i];
        if (c == '<')
            return Markup();
        if (c == '&')
        {
            Reference(inAttribute: false);
            return true;
        }
        Text();
        return true;
    }

    private void Text()
    {
        var run = _s.AsSpan(_i, _end - _i);
        var length = 0;
        while (true)
        {
            var stop = run[length..].IndexOfAnyExcept(OrdinaryText);
            if (stop < 0)
            {
                length = run.Length;
                break;
            }
            length += stop;
            if (!IsPlain(run[length]))
                break;
            length++;
        }
        if (length > 0)
        {
            if (InRoot)
                _o.Source(_i, length);
            else if (!run[..length].IsWhiteSpace())
            {
                if (_rootClosed)
                    _repairs.TrailingContent = true;
                else
                    _repairs.StrayCharacters += length;
            }
            _i += length;
            return;
        }
        // One special character that is not markup.
        var c = _s[_i];
        if (c == '>')
        {
            if (InRoot)
                _o.Append("&gt;"); // always legal, and "]]>" in text is not
            _i++;
            return;
        }
        if (char.IsHighSurrogate(c) && _i + 1 < _end && char.IsLowSurrogate(_s[_i + 1]))
        {
            if (InRoot)
                _o.Append(c).Append(_s[_i + 1]);
            _i += 2;
            return;
        }
        _i++;
        if (c is >= '\u0080' and <= '\u009F' && !Windows1252.IsUndefined(c))
        {
            if (InRoot)
                _o.Append(Windows1252.Map(c));
            _repairs.StrayCharacters++;
            return;
        }
        _repairs.StrayCharacters++;
    }

    private bool Markup()
    {
        var rest = _s.AsSpan(_i, _end - _i);
        if (rest.StartsWith("<?"))
            return Skip("?>"); // the XML declaration and stylesheets: the text is already decoded, nothing else is needed
        if (rest.StartsWith("<!--"))
            return Skip("-->");
        if (rest.StartsWith("<![CDATA["))
            return CData();
        if (rest.StartsWith("<!"))
            return Declaration();
        if (rest.Length > 1 && rest[1] == '/')
            return EndTag();
        if (rest.Length > 1 && XmlConvert.IsStartNCNameChar(rest[1]))
            return StartTag();
        // "a < b", "<3", a lone '<' at the end: text, not markup.
        if (InRoot)
        {
            _o.Append("&lt;");
            _repairs.Ampersands++;
        }
        _i++;
        return true;
    }

    private bool Skip(string terminator)
    {
        var at = _s.AsSpan(_i, _end - _i).IndexOf(terminator);
        if (at < 0)
            return false;
        _i += at + terminator.Length;
        return true;
    }

    private bool CData()
    {
        var start = _i + "<![CDATA[".Length;
        var at = _s.AsSpan(start, _end - start).IndexOf("]]>");
        var body = at < 0 ? _s.AsSpan(start, _end - start) : _s.AsSpan(start, at);
        if (InRoot)
        {
            _o.Append("<![CDATA[");
            var from = start; // where body starts in the source
            // Runs of ordinary characters are copied whole; only what XML forbids or 1252 maps is looked at.
            while (!body.IsEmpty)
            {
                var stop = 0;
                while (true)
                {
                    var next = body[stop..].IndexOfAnyExcept(OrdinaryCData);
                    if (next < 0)
                    {
                        stop = -1;
                        break;
                    }
                    stop += next;
                    if (!IsPlain(body[stop]))
                        break;
                    stop++;
                }
                if (stop < 0)
                {
                    _o.Source(from, body.Length);
                    break;
                }
                _o.Source(from, stop);
                var c = body[stop];
                if (char.IsHighSurrogate(c) && stop + 1 < body.Length && char.IsLowSurrogate(body[stop + 1]))
                {
                    _o.Append(c).Append(body[stop + 1]);
                    body = body[(stop + 2)..];
                    from += stop + 2;
                    continue;
                }
                if (c is >= '\u0080' and <= '\u009F' && !Windows1252.IsUndefined(c))
                    _o.Append(Windows1252.Map(c));
                _repairs.StrayCharacters++;
                body = body[(stop + 1)..];
                from += stop + 1;
            }
            _o.Append("]]>");
        }
        if (at < 0)
        {
            _repairs.Truncated = true;
            _i = _end;
            return false;
        }
        _i = start + at + 3;
        return true;
    }

    /// <summary>A DOCTYPE with an internal subset is kept (its entities are the XML reader's, expansion capped); others go.</summary>
    private bool Declaration()
    {
        var start = _i;
        var j = _i + 2;
        var inSubset = false;
        char quote = '\0';
        for (; j < _end; j++)
        {
            var c = _s[j];
            if (quote != '\0')
            {
                if (c == quote)
                    quote = '\0';
            }
            else if (c is '"' or '\'')
                quote = c;
            else if (c == '[')
                inSubset = true;
            else if (c == ']')
                inSubset = false;
            else if (c == '>' && !inSubset)
                break;
        }
        if (j >= _end)
            return false;
        _i = j + 1;
        var text = _s.AsSpan(start, _i - start);
        if (_open.Count == 0 && !_rootClosed && _o.Length == 0 && text.StartsWith("<!DOCTYPE", StringComparison.OrdinalIgnoreCase) && text.Contains('['))
        {
            _o.Append(text);
            var subset = text.ToString();
            for (var at = subset.IndexOf("<!ENTITY", StringComparison.Ordinal); at >= 0; at = subset.IndexOf("<!ENTITY", at + 1, StringComparison.Ordinal))
            {
                var k = at + "<!ENTITY".Length;
                while (k < subset.Length && (char.IsWhiteSpace(subset[k]) || subset[k] == '%'))
                    k++;
                var n = k;
                while (n < subset.Length && XmlConvert.IsNCNameChar(subset[n]))
                    n++;
                _declaredEntities.Add(subset[k..n]);
            }
        }
        return true;
    }

    private bool EndTag()
    {
        var j = _i + 2;
        while (j < _end && (XmlConvert.IsNCNameChar(_s[j]) || _s[j] == ':'))
            j++;
        var name = _s[(_i + 2)..j];
        var close = _s.AsSpan(j, _end - j).IndexOf('>');
        if (close < 0)
            return false; // "</ite" at the very end: truncated, closed below
        _i = j + close + 1;
        if (!InRoot)
            return true;
        _budget.Add(_open.Count);
        var depth = FindOpen(name);
        if (depth < 0)
        {
            _repairs.StrayEndTags++;
            return true;
        }
        _repairs.UnclosedElements += _open.Count - 1 - depth;
        while (_open.Count > depth + 1)
            CloseTop();
        CloseTop();
        if (_open.Count == 0)
            _rootClosed = true;
        return true;
    }

    private int FindOpen(string name)
    {
        for (var k = _open.Count - 1; k >= 0; k--)
            if (string.Equals(_open[k].Name, name, StringComparison.Ordinal))
                return k;
        for (var k = _open.Count - 1; k >= 0; k--)
            if (string.Equals(_open[k].Name, name, StringComparison.OrdinalIgnoreCase))
                return k;
        return -1;
    }

    private void CloseTop()
    {
        var frame = _open[^1];
        _open.RemoveAt(_open.Count - 1);
        _o.Append("</").Append(frame.Name).Append('>');
    }

    private bool StartTag()
    {
        var j = _i + 1;
        while (j < _end && (XmlConvert.IsNCNameChar(_s[j]) || _s[j] == ':'))
            j++;
        var name = CleanName(_s[(_i + 1)..j]);
        if (!ReadAttributes(ref j, out var selfClosing))
            return false;
        _i = j;

        if (_rootClosed)
        {
            _repairs.TrailingContent = true;
            return false; // a second document or a web page after the feed
        }
        if (!InRoot && Preamble.Contains(name))
        {
            _repairs.StrayCharacters++;
            return true;
        }
        if (_open.Count >= _budget.Limits.MaxDepth)
        {
            _repairs.Flattened++;
            return true;
        }
        if (++_elements > _budget.Limits.MaxElements)
        {
            _repairs.CutAtLimit = true;
            return false;
        }
        _budget.Add(_open.Count);
        WriteStartTag(name, selfClosing);
        if (selfClosing && _open.Count == 0)
            _rootClosed = true;
        return true;
    }

    private static string CleanName(string name)
    {
        var colon = name.IndexOf(':');
        if (colon < 0)
            return name;
        if (colon == 0 || colon == name.Length - 1 || name.IndexOf(':', colon + 1) >= 0 || !XmlConvert.IsStartNCNameChar(name[colon + 1]))
            return name.Replace(':', '_');
        return name;
    }

    /// <summary>Reads attributes up to the tag's '>'; false when the document ends inside the tag.</summary>
    private bool ReadAttributes(ref int j, out bool selfClosing)
    {
        _attributes.Clear();
        _attributeNames.Clear();
        selfClosing = false;
        while (true)
        {
            while (j < _end && char.IsWhiteSpace(_s[j]))
                j++;
            if (j >= _end)
                return false;
            var c = _s[j];
            if (c == '>')
            {
                j++;
                return true;
            }
            if (c == '/' && j + 1 < _end && _s[j + 1] == '>')
            {
                j += 2;
                selfClosing = true;
                return true;
            }
            if (c == '<')
            {
                _repairs.Attributes++;
                return true; // "<item <title>": the tag ends where the next begins
            }
            var nameStart = j;
            while (j < _end && !char.IsWhiteSpace(_s[j]) && _s[j] is not ('=' or '>' or '<' or '/' or '"' or '\''))
                j++;
            var name = _s[nameStart..j];
            if (name.Length == 0)
            {
                j++;
                _repairs.Attributes++;
                continue;
            }
            while (j < _end && char.IsWhiteSpace(_s[j]))
                j++;
            if (j >= _end)
                return false;
            if (_s[j] != '=')
            {
                _repairs.Attributes++; // an HTML boolean attribute: no value XML could keep
                continue;
            }
            j++;
            while (j < _end && char.IsWhiteSpace(_s[j]))
                j++;
            if (j >= _end)
                return false;
            string value;
            if (_s[j] is '"' or '\'')
            {
                var close = _s.IndexOf(_s[j], j + 1, _end - j - 1);
                if (close < 0)
                    return false;
                value = _s[(j + 1)..close];
                j = close + 1;
            }
            else
            {
                var valueStart = j;
                while (j < _end && !char.IsWhiteSpace(_s[j]) && _s[j] != '>')
                    j++;
                value = _s[valueStart..j];
                _repairs.Attributes++;
            }
            // Real elements carry a handful of attributes; a cap keeps a hostile tag's cost flat.
            if (!IsAttributeName(name) || _attributes.Count >= MaxAttributes || !_attributeNames.Add(name))
            {
                _repairs.Attributes++;
                continue;
            }
            _attributes.Add((name, value));
        }
    }

    private static bool IsAttributeName(string name)
    {
        if (!XmlConvert.IsStartNCNameChar(name[0]))
            return false;
        var colon = name.IndexOf(':');
        if (colon >= 0 && (colon == name.Length - 1 || name.IndexOf(':', colon + 1) >= 0 || !XmlConvert.IsStartNCNameChar(name[colon + 1])))
            return false;
        foreach (var c in name)
            if (c != ':' && !XmlConvert.IsNCNameChar(c))
                return false;
        return true;
    }

    private void WriteStartTag(string name, bool selfClosing)
    {
        HashSet<string>? declared = null;
        foreach (var (attribute, _) in _attributes)
            if (attribute.StartsWith("xmlns:", StringComparison.Ordinal))
                (declared ??= new HashSet<string>(StringComparer.Ordinal)).Add(attribute[6..]);

        _o.Append('<').Append(name);
        foreach (var (attribute, value) in _attributes)
        {
            _o.Append(' ').Append(attribute).Append("=\"");
            AttributeValue(value);
            _o.Append('"');
        }
        DeclareIfMissing(Prefix(name), ref declared);
        foreach (var (attribute, _) in _attributes)
            if (Prefix(attribute) is { } p && p != "xmlns")
                DeclareIfMissing(p, ref declared);
        if (selfClosing)
            _o.Append("/>");
        else
        {
            _o.Append('>');
            _open.Add(new Frame(name, declared));
        }
    }

    private static string? Prefix(string name) => name.IndexOf(':') is > 0 and var colon ? name[..colon] : null;

    private void DeclareIfMissing(string? prefix, ref HashSet<string>? declared)
    {
        if (prefix is null or "xml" or "xmlns" || declared?.Contains(prefix) == true)
            return;
        for (var k = _open.Count - 1; k >= 0; k--)
            if (_open[k].Prefixes?.Contains(prefix) == true)
                return;
        _o.Append($" xmlns:{prefix}=\"{FeedNamespaces.ForUndeclaredPrefix(prefix)}\"");
        (declared ??= new HashSet<string>(StringComparer.Ordinal)).Add(prefix);
        _repairs.Prefixes++;
    }

    private void AttributeValue(string value)
    {
        for (var k = 0; k < value.Length; k++)
        {
            var c = value[k];
            switch (c)
            {
                case '&':
                    k += ReferenceAt(value, k, inAttribute: true) - 1;
                    break;
                case '<':
                    _o.Append("&lt;");
                    break;
                case '"':
                    _o.Append("&quot;");
                    break;
                default:
                    if (XmlConvert.IsXmlChar(c) || char.IsSurrogate(c))
                        _o.Append(c is >= '\u0080' and <= '\u009F' ? Windows1252.Map(c) : c);
                    else
                        _repairs.StrayCharacters++;
                    break;
            }
        }
    }

    private void Reference(bool inAttribute)
    {
        if (!InRoot)
        {
            _i++;
            return;
        }
        _i += ReferenceAt(_s, _i, inAttribute, _end);
    }

    /// <summary>Writes the reference at <paramref name="at"/> repaired; returns the characters it took.</summary>
    private int ReferenceAt(string text, int at, bool inAttribute, int end = -1)
    {
        if (end < 0)
            end = text.Length;
        var k = at + 1;
        if (k < end && text[k] == '#')
        {
            if (HtmlEntities.TryReference(text, at, out var value, out var length, out var repaired) && length <= end - at)
            {
                if (repaired)
                    _repairs.CharacterReferences++;
                Escaped(value);
                return length;
            }
        }
        else
        {
            var n = k;
            while (n < end && n - k <= 64 && (XmlConvert.IsNCNameChar(text[n])))
                n++;
            if (n > k && n < end && text[n] == ';')
            {
                // The five XML names are most of the references in escaped HTML: kept as they are, without a lookup.
                if (text.AsSpan(k, n - k) is "amp" or "lt" or "gt" or "quot" or "apos")
                {
                    _o.Append(text, at, n + 1 - at);
                    return n + 1 - at;
                }
                var name = text[k..n];
                if (name is "amp" or "lt" or "gt" or "quot" or "apos" || _declaredEntities.Contains(name))
                {
                    _o.Append(text, at, n + 1 - at);
                    return n + 1 - at;
                }
                if (HtmlEntities.Lookup(name) is { } symbol)
                {
                    _repairs.Entities++;
                    Escaped(symbol);
                    return n + 1 - at;
                }
            }
        }
        _repairs.Ampersands++;
        _o.Append("&amp;");
        return 1;
    }

    private void Escaped(string value)
    {
        foreach (var c in value)
        {
            if (c == '&')
                _o.Append("&amp;");
            else if (c == '<')
                _o.Append("&lt;");
            else if (c == '"')
                _o.Append("&quot;");
            else
                _o.Append(c);
        }
    }
}
