namespace Alerts.Core.Matching;

/// <summary>
/// Every subscription's compiled program in one int array: no per-subscription array header, and programs of
/// nearby slots close together. <see cref="At"/>[slot] is where a slot's program starts (-1 for a free slot); a
/// program is its postings (<c>[n, (key, info)*n]</c>, see <see cref="ProgramCompiler"/>) then its query tree
/// (<see cref="ProgramOp"/>). Removed programs leave holes until compaction. Written under the index's write lock.
/// </summary>
internal sealed class ProgramArena
{
    public int[] Code = new int[1024];
    public int[] At = new int[256];
    private int _length;
    private int _garbage;

    /// <summary>Where the query tree of the program at <paramref name="at"/> starts, after its postings.</summary>
    public static int Root(int[] code, int at) => at + 2 * code[at] + 1;

    private static int ProgramLength(int[] code, int at)
    {
        var root = Root(code, at);
        return root - at + ProgramOp.Length(code, root);
    }

    /// <summary>Makes room for slots up to <paramref name="slot"/>.</summary>
    public void EnsureSlot(int slot)
    {
        if (slot >= At.Length) Array.Resize(ref At, Math.Max(slot + 1, At.Length * 2));
    }

    /// <summary>Appends a program, compacting the arena first when more than half is holes left by removed
    /// programs (which moves the live slots' programs, so call it before the new slot is taken). Grows by 1.25×
    /// to keep the slack small. Returns where the program starts.</summary>
    public int Append(int[] program, int slotCount)
    {
        if (_garbage > 1024 && _garbage > _length / 2) Compact(slotCount);
        if (_length + program.Length > Code.Length)
            Array.Resize(ref Code, Math.Max(_length + program.Length, Code.Length + (Code.Length >> 2)));
        var at = _length;
        program.CopyTo(Code, at);
        _length += program.Length;
        return at;
    }

    /// <summary>Frees a slot's program (its postings must be removed first: they are read from it).</summary>
    public void Free(int slot)
    {
        _garbage += ProgramLength(Code, At[slot]);
        At[slot] = -1;
    }

    private void Compact(int slotCount)
    {
        var code = new int[Math.Max(1024, _length - _garbage + (_length - _garbage >> 2))];
        var length = 0;
        for (var slot = 0; slot < slotCount; slot++)
        {
            var at = At[slot];
            if (at < 0) continue;
            var n = ProgramLength(Code, at);
            Array.Copy(Code, at, code, length, n);
            At[slot] = length;
            length += n;
        }
        Code = code;
        _length = length;
        _garbage = 0;
    }
}
