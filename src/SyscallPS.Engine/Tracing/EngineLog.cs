namespace SyscallPS.Tracing;

/// <summary>How much a library's message matters (libbpf's warn, info and debug levels).</summary>
public enum EngineMessageLevel
{
    /// <summary>Something went wrong or is unusual.</summary>
    Warning,

    /// <summary>What the library is doing.</summary>
    Info,

    /// <summary>Detail for debugging.</summary>
    Debug,
}

/// <summary>A message a native library printed while an engine worked.</summary>
/// <param name="Level">How much it matters.</param>
/// <param name="Text">The message.</param>
public readonly record struct EngineMessage(EngineMessageLevel Level, string Text);

/// <summary>
/// Where the messages of the native libraries the engines use (libbpf) go instead of the console: a caller
/// collects those printed on its thread (an engine starts on its caller's thread) and shows them its own way,
/// PowerShell's -Verbose and -Debug streams for the cmdlets. Messages nobody collects are dropped.
/// </summary>
public static class EngineLog
{
    [ThreadStatic]
    private static List<EngineMessage>? t_messages;

    /// <summary>Collects into <paramref name="into"/> the messages printed on this thread until the returned scope ends.</summary>
    public static IDisposable Capture(List<EngineMessage> into)
    {
        var previous = t_messages;
        t_messages = into;
        return new Scope(previous);
    }

    /// <summary>A library printed <paramref name="text"/>.</summary>
    internal static void Add(EngineMessageLevel level, string text) => t_messages?.Add(new EngineMessage(level, text));

    private sealed class Scope(List<EngineMessage>? previous) : IDisposable
    {
        public void Dispose() => t_messages = previous;
    }
}
