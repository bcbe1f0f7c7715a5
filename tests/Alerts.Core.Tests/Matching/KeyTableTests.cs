using Alerts.Core.Matching;

namespace Alerts.Core.Tests.Matching;

public class KeyTableTests
{
    [Fact]
    public void Finds_every_key_it_was_given_and_nothing_else()
    {
        var table = new KeyTable();
        // Packed (up to 16 characters below U+0100) and kept as text (longer, or other scripts); growth rehashes.
        var keys = Enumerable.Range(0, 5000).Select(i => (i % 3) switch
        {
            0 => "w" + i,
            1 => "averyveryverylongword" + i,
            _ => "東京" + i,
        }).Append("").Append("abcdefghijklmnop").Append("æøå").ToArray();
        for (var i = 0; i < keys.Length; i++) Assert.Equal(i, table.GetOrAdd(keys[i], i));
        Assert.Equal(keys.Length, table.Count);
        for (var i = 0; i < keys.Length; i++) Assert.Equal(i, table.Find(keys[i]));
        // Adding again returns the first id.
        Assert.Equal(3, table.GetOrAdd(keys[3], 99));
        foreach (var absent in new[] { "w", "w5000", "abcdefghijklmno", "abcdefghijklmnopq", "東京", "averyveryverylongword", "wx" })
            Assert.Equal(-1, table.Find(absent));
    }

    [Fact]
    public void Packed_lookups_agree_with_text_lookups()
    {
        var table = new KeyTable();
        table.GetOrAdd("immigra", 0);
        table.GetOrAdd("immigration", 1);
        table.GetOrAdd("overcompensation", 2);
        foreach (var (text, id) in new[] { ("immigra", 0), ("immigration", 1), ("overcompensation", 2), ("immigr", -1) })
        {
            Assert.True(KeyTable.TryPack(text, out var a, out var b));
            Assert.Equal(id, table.FindPacked(a, b, text.Length, KeyTable.PackedHash(a, b, text.Length)));
            Assert.Equal(KeyTable.Hash(text), KeyTable.PackedHash(a, b, text.Length));
        }
        Assert.False(KeyTable.TryPack("overcompensations", out _, out _));
        Assert.False(KeyTable.TryPack("東", out _, out _));
    }

    [Fact]
    public void The_filter_never_turns_away_a_key()
    {
        var table = new KeyTable(filtered: true);
        var keys = Enumerable.Range(0, 20_000).Select(i => "p" + i).ToArray();
        for (var i = 0; i < keys.Length; i++) table.GetOrAdd(keys[i], i);
        Assert.All(keys, k => Assert.True(table.MayContain(KeyTable.Hash(k))));
        // And it does turn most other texts away (about 32 bits per key).
        var passed = Enumerable.Range(0, 20_000).Count(i => table.MayContain(KeyTable.Hash("q" + i)));
        Assert.InRange(passed, 0, 2_000);
    }
}
