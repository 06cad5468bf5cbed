namespace Aether.Agent.Sessions;

/// <summary>
/// Hands out tc class minors (and u32 filter handles) per session: 0x10 to 0xfff0, so that 1:1 (parent)
/// and 1:ffff (default) are never used. Written in hex wherever tc reads them.
/// </summary>
internal sealed class ClassIdAllocator
{
    private const ushort First = 0x10;
    private const ushort Last = 0xfff0;
    private readonly Lock _lock = new();
    private readonly HashSet<ushort> _used = [];
    private ushort _next = First;

    public ushort Allocate()
    {
        lock (_lock)
        {
            for (var i = 0; i <= Last - First; i++)
            {
                var candidate = _next;
                _next = _next >= Last ? First : (ushort)(_next + 1);
                if (_used.Add(candidate))
                {
                    return candidate;
                }
            }
        }
        throw new InvalidOperationException("no tc class id left on this interface");
    }

    public void Release(ushort id)
    {
        lock (_lock)
        {
            _used.Remove(id);
        }
    }
}
