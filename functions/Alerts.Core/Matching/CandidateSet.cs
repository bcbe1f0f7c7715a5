using System.Runtime.CompilerServices;

namespace Alerts.Core.Matching;

/// <summary>
/// The subscriptions (slots) of one article that the candidate scan could not decide from their postings and that
/// verification must run the program of, each once. A bitset over slots (a few KB at 100k subscriptions, so the
/// checks stay in cache) plus the list, by which the bitset is cleared for the next article. Per-thread, reused.
/// </summary>
internal sealed class CandidateSet
{
    private ulong[] _bits = [];

    public int[] Items = new int[256];
    public int Count;

    /// <summary>Slots the bitsets of this set hold (a multiple of 64).</summary>
    public int Capacity => _bits.Length * 64;

    public void Begin(int slotCount)
    {
        for (var i = 0; i < Count; i++) _bits[Items[i] >> 6] = 0;
        if (_bits.Length * 64 < slotCount) Array.Resize(ref _bits, (Math.Max(slotCount, _bits.Length * 128) + 63) >> 6);
        Count = 0;
    }

    /// <summary>Adds a slot unless it is already a candidate (a query posted under several of the article's keys).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int slot)
    {
        ref var word = ref _bits[slot >> 6];
        if ((word & (1UL << slot)) != 0) return;
        word |= 1UL << slot;
        if (Count == Items.Length) Array.Resize(ref Items, Count * 2);
        Items[Count++] = slot;
    }
}
