namespace Alerts.Core.Matching;

/// <summary>
/// Opcodes of a compiled query program: the query tree flattened into ints, in prefix order, each node followed by
/// its children, so verification walks one array. A program in the arena (<see cref="ProgramArena"/>) starts with
/// its postings (see <see cref="ProgramCompiler"/>); the tree follows at <see cref="ProgramArena.Root"/>.
/// The low byte of a head is the opcode, the next byte the field scope.
/// </summary>
internal static class ProgramOp
{
    public const int Key = 1;    // [Key|scope<<8, key]
    public const int Phrase = 2; // [Phrase|scope<<8, n, key*n]
    public const int Near = 3;   // [Near|scope<<8, n, distance, (key, count)*n]
    public const int And = 4;    // [And, n, length, child*n]
    public const int Or = 5;     // [Or, n, length, child*n]
    public const int Not = 6;    // [Not, length, child]
    public const int SiteScope = 3;

    public static int Length(int[] p, int at) => (p[at] & 0xFF) switch
    {
        Key => 2,
        Phrase => 2 + p[at + 1],
        Near => 3 + 2 * p[at + 1],
        And or Or => p[at + 2],
        _ => p[at + 1],
    };
}
