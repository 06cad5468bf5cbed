using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Aether.Dhcp;

namespace Aether.Agent.Kernel;

/// <summary>One element's counter as the kernel holds it.</summary>
internal delegate void SetCounterSink(Ipv4Address ip, ulong packets, ulong bytes);

/// <summary>
/// Reads the counters of an nftables set's elements straight from the kernel over nfnetlink (NFT_MSG_GETSETELEM), as
/// `nft list set` and `nft get element` do, without the nft command or libnftables: a dump of the whole set for the
/// periodic sweep, and a request per address for the final counters of sessions that end. libnftables loads every
/// element of the set into its cache before it answers even a `get element`, and `nft -j` prints the whole set as
/// JSON for another process to parse; here the kernel's messages are read as they come, into no object per element.
/// One socket, opened in the kernel programmer's network namespace on first use; calls are serialized.
/// </summary>
internal sealed partial class NftSetCounters : IDisposable
{
    private const int AfNetlink = 16;
    private const int SockRaw = 3;
    private const int SockCloexec = 0x80000;
    private const int NetlinkNetfilter = 12;

    private const ushort NlmsgError = 2;
    private const ushort NlmsgDone = 3;
    private const ushort NlmFRequest = 0x1;
    private const ushort NlmFMulti = 0x2;
    private const ushort NlmFAck = 0x4;
    private const ushort NlmFDump = 0x300;
    private const ushort NlaFNested = 0x8000;
    private const ushort NlaTypeMask = 0x3fff;

    private const byte NfprotoInet = 1;
    private const ushort NftMsgNewSetElem = (10 << 8) | 12;
    private const ushort NftMsgGetSetElem = (10 << 8) | 13;
    private const ushort ListTable = 1;
    private const ushort ListSet = 2;
    private const ushort ListElements = 3;
    private const ushort ListElem = 1;
    private const ushort ElemKey = 1;
    private const ushort ElemExpr = 7;
    private const ushort ElemExpressions = 11;
    private const ushort DataValue = 1;
    private const ushort ExprName = 1;
    private const ushort ExprData = 2;
    private const ushort CounterBytes = 1;
    private const ushort CounterPackets = 2;

    private const int Enoent = 2;
    private const int SolSocket = 1;
    private const int SoRcvtimeo = 20;

    /// <summary>The longest a read waits for the kernel's next message.</summary>
    internal static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Addresses asked for per send: each answer waits in the socket's receive buffer (about 200 KiB by default)
    /// until it is read, and an answer that does not fit is lost.
    /// </summary>
    internal const int GetChunk = 64;

    private readonly string? _namespace;
    private readonly Lock _lock = new();
    private readonly byte[] _receive = GC.AllocateArray<byte>(64 * 1024, pinned: true);
    private readonly byte[] _send = GC.AllocateArray<byte>(16 * 1024, pinned: true);
    private int _socket = -1;
    private uint _seq = (uint)Environment.TickCount;

    public NftSetCounters(string? networkNamespace) => _namespace = networkNamespace;

    /// <summary>Every element of the set with its counter; the number of elements read.</summary>
    /// <exception cref="IOException">The kernel refused (no such table or set) or the socket failed.</exception>
    public int Dump(string table, string set, SetCounterSink sink)
    {
        lock (_lock)
        {
            var socket = Open();
            var seq = ++_seq;
            var length = WriteRequest(_send, seq, NlmFRequest | NlmFDump, table, set, []);
            Send(socket, _send.AsSpan(0, length));
            var count = 0;
            while (true)
            {
                var received = Receive(socket);
                var messages = _receive.AsSpan(0, received);
                while (messages.Length >= 16)
                {
                    var type = NextMessage(ref messages, out var body, out var next);
                    if (next != seq)
                    {
                        continue;
                    }
                    switch (type)
                    {
                        case NlmsgDone:
                            return count;
                        case NlmsgError:
                            var error = BinaryPrimitives.ReadInt32LittleEndian(body);
                            if (error != 0)
                            {
                                throw new IOException($"reading set inet {table} {set} failed: {Errno(-error)}");
                            }
                            return count;
                        case NftMsgNewSetElem:
                            count += ParseElements(body, sink);
                            break;
                    }
                }
            }
        }
    }

    /// <summary>
    /// The counters of these addresses in the set, read one by one in a few round trips; an address that is not in
    /// the set is skipped. Returns how many were found.
    /// </summary>
    /// <exception cref="IOException">The kernel refused (no such table or set) or the socket failed.</exception>
    public int Get(string table, string set, IReadOnlyList<Ipv4Address> addresses, SetCounterSink sink)
    {
        var found = 0;
        lock (_lock)
        {
            var socket = Open();
            for (var start = 0; start < addresses.Count; start += GetChunk)
            {
                var end = Math.Min(start + GetChunk, addresses.Count);
                var first = _seq + 1;
                var length = 0;
                for (var i = start; i < end; i++)
                {
                    length += WriteRequest(_send.AsSpan(length), ++_seq, NlmFRequest | NlmFAck, table, set, [addresses[i]]);
                }
                Send(socket, _send.AsSpan(0, length));
                // Every request ends with an acknowledgement (error 0) after its element, or with an error alone.
                var outstanding = end - start;
                while (outstanding > 0)
                {
                    var received = Receive(socket);
                    var messages = _receive.AsSpan(0, received);
                    while (messages.Length >= 16)
                    {
                        var type = NextMessage(ref messages, out var body, out var seq);
                        if (seq - first >= (uint)(end - start))
                        {
                            continue;
                        }
                        if (type == NftMsgNewSetElem)
                        {
                            found += ParseElements(body, sink);
                        }
                        else if (type == NlmsgError)
                        {
                            outstanding--;
                            var error = -BinaryPrimitives.ReadInt32LittleEndian(body);
                            if (error != 0 && error != Enoent)
                            {
                                throw new IOException($"reading elements of set inet {table} {set} failed: {Errno(error)}");
                            }
                        }
                    }
                }
            }
        }
        return found;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_socket >= 0)
            {
                _ = close(_socket);
                _socket = -1;
            }
        }
    }

    /// <summary>Writes one GETSETELEM request; with addresses, for just those elements. Returns its length.</summary>
    internal static int WriteRequest(Span<byte> buffer, uint seq, ushort flags, string table, string set, ReadOnlySpan<Ipv4Address> addresses)
    {
        var at = 16;
        buffer[at++] = NfprotoInet;
        buffer[at++] = 0;
        buffer[at++] = 0;
        buffer[at++] = 0;
        at = WriteString(buffer, at, ListTable, table);
        at = WriteString(buffer, at, ListSet, set);
        if (!addresses.IsEmpty)
        {
            var elements = BeginNest(buffer, ref at, ListElements);
            foreach (var address in addresses)
            {
                var elem = BeginNest(buffer, ref at, ListElem);
                var key = BeginNest(buffer, ref at, ElemKey);
                BinaryPrimitives.WriteUInt16LittleEndian(buffer[at..], 8);
                BinaryPrimitives.WriteUInt16LittleEndian(buffer[(at + 2)..], DataValue);
                address.Write(buffer[(at + 4)..]);
                at += 8;
                EndNest(buffer, key, at);
                EndNest(buffer, elem, at);
            }
            EndNest(buffer, elements, at);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)at);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[4..], NftMsgGetSetElem);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[6..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[8..], seq);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[12..], 0);
        return at;
    }

    /// <summary>The elements of one NEWSETELEM message (after its netlink header): key and counter of each.</summary>
    internal static int ParseElements(ReadOnlySpan<byte> body, SetCounterSink sink)
    {
        var count = 0;
        // nfgenmsg (family, version, resource id), then the attributes.
        var attributes = body.Length > 4 ? body[4..] : default;
        while (NextAttribute(ref attributes, out var type, out var list))
        {
            if (type != ListElements)
            {
                continue;
            }
            while (NextAttribute(ref list, out var elemType, out var elem))
            {
                if (elemType != ListElem)
                {
                    continue;
                }
                Ipv4Address? ip = null;
                ulong packets = 0, bytes = 0;
                while (NextAttribute(ref elem, out var field, out var value))
                {
                    switch (field)
                    {
                        case ElemKey:
                            while (NextAttribute(ref value, out var dataType, out var data))
                            {
                                if (dataType == DataValue && data.Length == 4)
                                {
                                    ip = Ipv4Address.Read(data);
                                }
                            }
                            break;
                        case ElemExpr:
                            ReadCounter(value, ref packets, ref bytes);
                            break;
                        case ElemExpressions:
                            while (NextAttribute(ref value, out var exprType, out var expr))
                            {
                                if (exprType == ListElem)
                                {
                                    ReadCounter(expr, ref packets, ref bytes);
                                }
                            }
                            break;
                    }
                }
                if (ip is { } address)
                {
                    sink(address, packets, bytes);
                    count++;
                }
            }
        }
        return count;
    }

    private static void ReadCounter(ReadOnlySpan<byte> expression, ref ulong packets, ref ulong bytes)
    {
        var isCounter = false;
        ReadOnlySpan<byte> data = default;
        while (NextAttribute(ref expression, out var type, out var value))
        {
            if (type == ExprName)
            {
                isCounter = value.TrimEnd((byte)0).SequenceEqual("counter"u8);
            }
            else if (type == ExprData)
            {
                data = value;
            }
        }
        if (!isCounter)
        {
            return;
        }
        while (NextAttribute(ref data, out var type, out var value))
        {
            if (value.Length == 8 && type == CounterBytes)
            {
                bytes = BinaryPrimitives.ReadUInt64BigEndian(value);
            }
            else if (value.Length == 8 && type == CounterPackets)
            {
                packets = BinaryPrimitives.ReadUInt64BigEndian(value);
            }
        }
    }

    /// <summary>The next attribute of a list (type without its flags); false at the end or at a malformed length.</summary>
    private static bool NextAttribute(scoped ref ReadOnlySpan<byte> attributes, out ushort type, out ReadOnlySpan<byte> value)
    {
        type = 0;
        value = default;
        if (attributes.Length < 4)
        {
            return false;
        }
        var length = BinaryPrimitives.ReadUInt16LittleEndian(attributes);
        if (length < 4 || length > attributes.Length)
        {
            attributes = default;
            return false;
        }
        type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(attributes[2..]) & NlaTypeMask);
        value = attributes[4..length];
        var aligned = (length + 3) & ~3;
        attributes = aligned >= attributes.Length ? default : attributes[aligned..];
        return true;
    }

    /// <summary>The next netlink message: its type, what follows its header, and its sequence number.</summary>
    private static ushort NextMessage(ref Span<byte> messages, out ReadOnlySpan<byte> body, out uint seq)
    {
        var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(messages);
        if (length < 16 || length > messages.Length)
        {
            throw new IOException($"malformed netlink message from the kernel (length {length} of {messages.Length})");
        }
        var type = BinaryPrimitives.ReadUInt16LittleEndian(messages[4..]);
        seq = BinaryPrimitives.ReadUInt32LittleEndian(messages[8..]);
        body = messages[16..length];
        var aligned = (length + 3) & ~3;
        messages = aligned >= messages.Length ? default : messages[aligned..];
        return type;
    }

    private static int WriteString(Span<byte> buffer, int at, ushort type, string value)
    {
        var length = 4 + Encoding.ASCII.GetBytes(value, buffer[(at + 4)..]) + 1;
        buffer[at + length - 1] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[at..], (ushort)length);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[(at + 2)..], type);
        var aligned = (length + 3) & ~3;
        buffer[(at + length)..(at + aligned)].Clear();
        return at + aligned;
    }

    private static int BeginNest(Span<byte> buffer, ref int at, ushort type)
    {
        var start = at;
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[(at + 2)..], (ushort)(type | NlaFNested));
        at += 4;
        return start;
    }

    private static void EndNest(Span<byte> buffer, int start, int at) =>
        BinaryPrimitives.WriteUInt16LittleEndian(buffer[start..], (ushort)(at - start));

    private int Open()
    {
        if (_socket >= 0)
        {
            return _socket;
        }
        int socket = -1, errno = 0;
        if (_namespace is null)
        {
            socket = OpenSocket(out errno);
        }
        else
        {
            // A socket belongs to the namespace it was made in: made on a thread that entered the namespace, which
            // then ends (the thread's namespace goes with it, the socket's stays).
            Exception? failure = null;
            var thread = new Thread(() =>
            {
                try
                {
                    NetworkNamespace.EnterOnThisThread(_namespace);
                    socket = OpenSocket(out errno);
                }
                catch (IOException ex)
                {
                    failure = ex;
                }
            }) { IsBackground = true, Name = "nfnetlink open" };
            thread.Start();
            thread.Join();
            if (failure is not null)
            {
                throw failure;
            }
        }
        if (socket < 0)
        {
            throw new IOException($"opening an nfnetlink socket failed: {Errno(errno)}");
        }
        _socket = socket;
        return socket;
    }

    private static int OpenSocket(out int errno)
    {
        var socket = socket_(AfNetlink, SockRaw | SockCloexec, NetlinkNetfilter);
        errno = socket < 0 ? Marshal.GetLastPInvokeError() : 0;
        if (socket >= 0)
        {
            // The kernel answers at once; a receive that waits this long means something is wrong, and the batch or
            // sweep waiting on it must not wait for ever (it fails with EAGAIN, and the socket is made again).
            Span<byte> timeout = stackalloc byte[16];
            BinaryPrimitives.WriteInt64LittleEndian(timeout, (long)ReceiveTimeout.TotalSeconds);
            BinaryPrimitives.WriteInt64LittleEndian(timeout[8..], 0);
            if (setsockopt(socket, SolSocket, SoRcvtimeo, timeout, timeout.Length) != 0)
            {
                errno = Marshal.GetLastPInvokeError();
                _ = close(socket);
                return -1;
            }
        }
        return socket;
    }

    private void Send(int socket, ReadOnlySpan<byte> message)
    {
        // To the kernel (port 0): an unbound netlink socket is given a port on its first send.
        Span<byte> kernel = stackalloc byte[12];
        kernel.Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(kernel, AfNetlink);
        nint sent;
        do
        {
            sent = sendto(socket, message, message.Length, 0, kernel, kernel.Length);
        }
        while (sent < 0 && Marshal.GetLastPInvokeError() == 4);
        if (sent != message.Length)
        {
            var errno = Marshal.GetLastPInvokeError();
            Reset();
            throw new IOException($"sending to nfnetlink failed: {Errno(errno)}");
        }
    }

    private int Receive(int socket)
    {
        nint received;
        do
        {
            received = recv(socket, _receive, _receive.Length, 0);
        }
        while (received < 0 && Marshal.GetLastPInvokeError() == 4);
        if (received <= 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            // ENOBUFS: answers were lost; the socket is made again for the next call.
            Reset();
            throw new IOException($"receiving from nfnetlink failed: {Errno(errno)}");
        }
        return (int)received;
    }

    private void Reset()
    {
        if (_socket >= 0)
        {
            _ = close(_socket);
            _socket = -1;
        }
    }

    private static string Errno(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int socket_(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint sendto(int socket, ReadOnlySpan<byte> buffer, nint length, int flags, ReadOnlySpan<byte> address, int addressLength);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recv(int socket, byte[] buffer, nint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setsockopt(int socket, int level, int name, ReadOnlySpan<byte> value, int length);

}
