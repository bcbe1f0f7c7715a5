using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Alerts.Core.Matching;

/// <summary>
/// Asks the CPU to start loading a cache line that will be read soon. Matching an article touches a few hundred
/// scattered places of a large index (key table entries, posting lists); asking for them early lets those memory
/// reads overlap instead of waiting one after another. Only a hint: a no-op where the instruction is missing.
/// </summary>
internal static class CachePrefetch
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Line<T>(ref T target)
    {
        // The address is used at once and never kept, so the GC moving the object meanwhile is harmless.
        if (Sse.IsSupported) Sse.Prefetch0(Unsafe.AsPointer(ref target));
    }
}
