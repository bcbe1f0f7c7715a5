namespace Alerts.Core.Matching;

/// <summary>A growable list of the (slot, <see cref="PostingKind"/> info) pairs posted under one key. Most keys at small
/// index sizes are rare words posted once: a single pair is kept inline (no array; 16 bytes either way).</summary>
internal struct Posting
{
    /// <summary>Pairs, or null while the list holds at most one pair.</summary>
    public int[]? Items;
    /// <summary>With <see cref="Items"/>: the number of pairs. Without: 0 if empty, else the lone slot + 1.</summary>
    public int CountOrSlot;
    /// <summary>Without <see cref="Items"/>: the lone pair's info.</summary>
    public int Info;

    public void Add(int slot, int info)
    {
        if (Items is null)
        {
            if (CountOrSlot == 0)
            {
                CountOrSlot = slot + 1;
                Info = info;
                return;
            }
            Items = [CountOrSlot - 1, Info, 0, 0];
            CountOrSlot = 1;
        }
        if (2 * CountOrSlot == Items.Length) Array.Resize(ref Items, Items.Length * 2);
        Items[2 * CountOrSlot] = slot;
        Items[2 * CountOrSlot + 1] = info;
        CountOrSlot++;
    }

    public void Remove(int slot)
    {
        if (Items is null)
        {
            if (CountOrSlot == slot + 1) CountOrSlot = 0;
            return;
        }
        for (var i = 0; i < CountOrSlot; i++)
        {
            if (Items[2 * i] != slot) continue;
            // Order does not matter: candidates are deduplicated and results sorted by id.
            CountOrSlot--;
            Items[2 * i] = Items[2 * CountOrSlot];
            Items[2 * i + 1] = Items[2 * CountOrSlot + 1];
            if (CountOrSlot == 0) Items = null;
            return;
        }
    }
}
