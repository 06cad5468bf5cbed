using System.Buffers.Binary;

namespace Aether.Dhcp.Internal;

/// <summary>Validation of a DHCP message before <see cref="DhcpPacket"/> exposes it (RFC 2131 section 2, RFC 2132, RFC 3396).</summary>
internal static class DhcpPacketParser
{
    public static DhcpParseError TryParse(ReadOnlySpan<byte> data, out DhcpPacket packet)
    {
        packet = default;
        if (data.Length > BootpLayout.MaximumLength)
        {
            return DhcpParseError.TooLong;
        }

        if (data.Length < BootpLayout.OptionsOffset)
        {
            return DhcpParseError.Truncated;
        }

        byte op = data[BootpLayout.OpOffset];
        if (op is not (BootpLayout.BootRequest or BootpLayout.BootReply))
        {
            return DhcpParseError.BadOp;
        }

        if (data[BootpLayout.HardwareLengthOffset] > BootpLayout.ClientHardwareAddressLength)
        {
            return DhcpParseError.BadHardwareLength;
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(data[BootpLayout.MagicCookieOffset..]) != BootpLayout.MagicCookie)
        {
            return DhcpParseError.BadMagicCookie;
        }

        var scan = new Scan();
        var error = scan.Walk(data[BootpLayout.OptionsOffset..], overloadAllowed: true);
        if (error != DhcpParseError.None)
        {
            return error;
        }

        if ((scan.Overload & BootpLayout.OverloadFile) != 0)
        {
            error = scan.Walk(data.Slice(BootpLayout.BootFileOffset, BootpLayout.BootFileLength), overloadAllowed: false);
            if (error != DhcpParseError.None)
            {
                return error;
            }
        }

        if ((scan.Overload & BootpLayout.OverloadServerName) != 0)
        {
            error = scan.Walk(data.Slice(BootpLayout.ServerNameOffset, BootpLayout.ServerNameLength), overloadAllowed: false);
            if (error != DhcpParseError.None)
            {
                return error;
            }
        }

        if (scan.MessageTypeLength < 0)
        {
            return DhcpParseError.MissingMessageType;
        }

        if (scan.MessageTypeLength != 1)
        {
            return DhcpParseError.BadMessageType;
        }

        packet = DhcpPacket.Create(data, scan.Overload, (DhcpMessageType)scan.MessageType);
        return DhcpParseError.None;
    }

    private struct Scan
    {
        public byte Overload;
        public byte MessageType;
        public int MessageTypeLength = -1;
        private bool _overloadSeen;

        public Scan()
        {
        }

        public DhcpParseError Walk(ReadOnlySpan<byte> area, bool overloadAllowed)
        {
            var reader = new OptionReader(area);
            while (reader.MoveNext())
            {
                switch (reader.Code)
                {
                    case DhcpOptionCode.MessageType when MessageTypeLength < 0:
                        MessageTypeLength = reader.Value.Length;
                        if (MessageTypeLength == 1)
                        {
                            MessageType = reader.Value[0];
                        }

                        break;

                    case DhcpOptionCode.OptionOverload:
                        // RFC 2131 section 4.1: option 52 MUST appear in the options field; one instance, one octet, 1..3.
                        if (!overloadAllowed || _overloadSeen || reader.Value.Length != 1
                            || reader.Value[0] is < BootpLayout.OverloadFile or > BootpLayout.OverloadBoth)
                        {
                            return DhcpParseError.BadOverload;
                        }

                        _overloadSeen = true;
                        Overload = reader.Value[0];
                        break;
                }
            }

            return reader.Overrun ? DhcpParseError.OptionOverrun : DhcpParseError.None;
        }
    }
}
