using Azure.Data.Tables;

namespace Alerts.Core.Digests;

/// <summary>
/// A string too long for one table property (64 KiB, 32K UTF-16 characters) spread over "Name", "Name_1", ...; a row
/// holds up to 1 MiB, so a digest's frozen list of a few thousand article ids still fits.
/// </summary>
public static class LargeProperty
{
    private const int ChunkChars = 30_000;

    public static void Write(TableEntity entity, string name, string value)
    {
        var chunks = value.Chunk(ChunkChars).Select(c => new string(c)).DefaultIfEmpty("").ToList();
        entity[name] = chunks[0];
        for (var i = 1; i < chunks.Count; i++)
            entity[$"{name}_{i}"] = chunks[i];
    }

    public static string? Read(TableEntity entity, string name)
    {
        if (entity.GetString(name) is not { } first)
            return null;
        var parts = new List<string> { first };
        for (var i = 1; entity.GetString($"{name}_{i}") is { } next; i++)
            parts.Add(next);
        return string.Concat(parts);
    }
}
