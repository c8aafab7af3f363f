using SyscallPS.Tracing;

namespace SyscallPS.Commands;

/// <summary>What a user is told when the eBPF engine loses events, with the ring size that would have held them.</summary>
internal static class LossWarning
{
    // The largest ring suggested: beyond this, a filter or the ptrace engine (which slows the program instead of
    // losing its events) is the better advice.
    private const long LargestSuggestedRing = 1L << 30;

    /// <summary>The warning for <paramref name="session"/> after <paramref name="lost"/> events were lost.</summary>
    public static string For(TraceSession session, long lost)
    {
        int ring = session.Request.RingBufferBytes;
        long delivered = Math.Max(1, session.EventCount);
        // The ring held `delivered` of `delivered + lost`: grow it by that ratio, to the next power of two.
        long needed = (long)Math.Ceiling((double)ring * (delivered + lost) / delivered);
        long suggested = Math.Min(LargestSuggestedRing, 1L << (int)Math.Ceiling(Math.Log2(Math.Max(needed, ring * 2L))));
        string advice = suggested > ring
            ? $"-RingBufferSize {Size(suggested)} (now {Size(ring)}) would have held about that many, or use a -Syscall filter"
            : "use a -Syscall filter";
        return $"The {session.Engine} engine lost {lost} events (its kernel ring buffer was full); see the Lost records. {char.ToUpperInvariant(advice[0])}{advice[1..]}, or -Engine Ptrace, which loses none (it slows the program instead).";
    }

    private static string Size(long bytes) => bytes >= 1L << 30 ? $"{bytes >> 30}GB" : bytes >= 1L << 20 ? $"{bytes >> 20}MB" : $"{bytes >> 10}KB";
}
