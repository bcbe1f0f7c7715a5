namespace Alerts.Core.Matching;

/// <summary>
/// A posting's second int: a kind (top 4 bits) and another key (low 28 bits). The kind says how the query's
/// branch is decided when the posting's own key occurs in an article; a slot matched through several branches
/// gets the union of their hits, which is what the whole OR collects.
/// </summary>
internal static class PostingKind
{
    public const int Verify = 0;       // run the program if the other key (a confirm key, or NoKey) occurs
    public const int Single = 1;       // the branch is this key: a match, hits its occurrences
    public const int Both = 3;         // this key AND the other key
    public const int Without = 4;      // this key AND NOT the other key
    public const int PhraseFirst = 5;  // "this other"
    public const int PhraseSecond = 6; // "other this"
    public const int NoKey = 0x0FFFFFFF;

    public static int Pack(int kind, int key) => kind << 28 | key;
    public static int Kind(int info) => info >>> 28;
    public static int Key(int info) => info & NoKey;
}
