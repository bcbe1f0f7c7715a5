namespace Alerts.Core.Feeds.Parsing;

/// <summary>What the tolerant reader changed to read a document; shown on the feed's health row, never an error.</summary>
public sealed class FeedRepairs
{
    public int Entities { get; internal set; }
    public int Ampersands { get; internal set; }
    public int CharacterReferences { get; internal set; }
    public int StrayCharacters { get; internal set; }
    public int UnclosedElements { get; internal set; }
    public int StrayEndTags { get; internal set; }
    public int Attributes { get; internal set; }
    public int Prefixes { get; internal set; }
    public int Flattened { get; internal set; }
    public bool Truncated { get; internal set; }
    public bool CutAtLimit { get; internal set; }
    public bool TrailingContent { get; internal set; }

    public bool Any => ToString().Length > 0;

    /// <summary>E.g. "3 undeclared entities repaired, 1 bare & escaped, document truncated (2 elements closed)".</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        void Add(int count, string one, string many)
        {
            if (count > 0)
                parts.Add($"{count} {(count == 1 ? one : many)}");
        }
        Add(Entities, "undeclared entity repaired", "undeclared entities repaired");
        Add(Ampersands, "bare & escaped", "bare & escaped");
        Add(CharacterReferences, "character reference repaired", "character references repaired");
        Add(StrayCharacters, "stray character dropped", "stray characters dropped");
        Add(Attributes, "malformed attribute repaired", "malformed attributes repaired");
        Add(Prefixes, "undeclared prefix declared", "undeclared prefixes declared");
        Add(StrayEndTags, "stray end tag dropped", "stray end tags dropped");
        Add(Flattened, "element nested too deep flattened", "elements nested too deep flattened");
        if (CutAtLimit)
            parts.Add("document cut at the element limit");
        if (Truncated)
            parts.Add($"document truncated ({UnclosedElements} element{(UnclosedElements == 1 ? "" : "s")} closed)");
        else
            Add(UnclosedElements, "unclosed element closed", "unclosed elements closed");
        if (TrailingContent)
            parts.Add("content after the document end ignored");
        return string.Join(", ", parts);
    }
}
