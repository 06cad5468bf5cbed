using System.Buffers;
using System.Text;
using Aether.Agent.Control;
using Aether.Agent.Sessions;
using Aether.Contracts.Agent.V1;
using Aether.Dhcp;
using Aether.Dhcp.Framing;

namespace Aether.Agent.Dhcp;

internal sealed partial class RelayService
{
    // ---- client -> server ------------------------------------------------------------------------

    private void HandleClientFrame(CapturedFrame frame, CancellationToken cancellationToken)
    {
        var port = frame.Port;
        if (!EthernetFrame.TryParseUdp(frame.Data, out var udp) || udp.DestinationPort != ServerPort)
        {
            Drop(frame, DropReason.NotDhcp);
            return;
        }
        var error = DhcpPacket.TryParse(udp.Payload, out var packet);
        if (error != DhcpParseError.None)
        {
            LogMalformed(port.Name, error.ToString());
            Drop(frame, DropReason.Malformed);
            return;
        }
        var mac = FormatMac(packet.ClientHardwareAddress);
        if (RelayPolicy.Check(packet, port.Trust, _options.MaxHops) is { } reason)
        {
            LogPolicyDrop(port.Name, mac, reason.Name(), packet.GatewayIp.ToString(), packet.Hops);
            Drop(frame, reason);
            return;
        }

        // The subscriber's line: as the access node wrote it, or as this interface inserts it.
        var info = packet.RelayAgentInformation;
        var key = info.IsPresent
            ? new SubscriberKey(mac, Encoding.UTF8.GetString(info.CircuitId), Encoding.UTF8.GetString(info.RemoteId))
            : new SubscriberKey(mac, port.InsertedCircuitId, port.InsertedRemoteId);
        var type = packet.MessageType;
        var xid = packet.TransactionId;
        var ciaddr = packet.ClientIp;
        packet.TryGetIpv4Option(DhcpOptionCode.RequestedIpAddress, out var requested);

        if (type is DhcpMessageType.Release or DhcpMessageType.Decline)
        {
            RelayToServer(frame);
            // RFC 2131 4.4.4 / 4.4.6: RELEASE names the address in ciaddr, DECLINE in option 50.
            var ip = type == DhcpMessageType.Release ? ciaddr : requested;
            _ = EndSessionAsync(key, ip, type, cancellationToken);
            return;
        }

        var identity = new SubscriberIdentity
        {
            Mac = mac,
            CircuitId = key.CircuitId,
            RemoteId = key.RemoteId,
            RelayId = _options.BngId,
            Interface = port.Name,
            Giaddr = port.GatewayIp.ToString(),
            // The access router's own relay-id, before the agent's replaces it in what goes to the server.
            AccessRelayId = info.IsPresent ? Encoding.UTF8.GetString(info.RelayId) : "",
        };
        using var setup = Telemetry.SetupTrace.OnRequest(mac, type == DhcpMessageType.Discover, key.CircuitId);
        var decision = _sessions.AuthorizeAsync(key, identity, xid, cancellationToken);
        if (decision.IsCompletedSuccessfully)
        {
            RelayIfAccepted(frame, decision.Result, key, type);
            return;
        }
        _ = AwaitAuthorizationAsync(frame, decision, key, type);
    }

    private async Task EndSessionAsync(SubscriberKey key, Ipv4Address ip, DhcpMessageType type, CancellationToken cancellationToken)
    {
        try
        {
            await _sessions.OnClientEndAsync(key, ip, type, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogEndFailed(type.ToString(), key.Mac, ip.ToString(), key.CircuitId, ex);
        }
    }

    private async Task AwaitAuthorizationAsync(CapturedFrame frame, Task<AuthorizationDecision> decision, SubscriberKey key, DhcpMessageType type)
    {
        AuthorizationDecision result;
        try
        {
            result = await decision;
        }
        catch (Exception ex) when (ex is ControllerUnavailableException or OperationCanceledException)
        {
            LogAuthorizationUnavailable(key.Mac, key.CircuitId, ex.Message);
            Drop(frame, DropReason.ControllerUnavailable);
            return;
        }
        catch (Exception ex)
        {
            LogFrameFailed(frame.Port.Name, ex);
            Drop(frame, DropReason.InternalError);
            return;
        }
        RelayIfAccepted(frame, result, key, type);
    }

    private void RelayIfAccepted(CapturedFrame frame, AuthorizationDecision decision, SubscriberKey key, DhcpMessageType type)
    {
        if (!decision.Accepted)
        {
            LogDroppedRejected(type.ToString(), key.Mac, key.CircuitId, key.RemoteId);
            Drop(frame, DropReason.Rejected);
            return;
        }

        // A child of the setup's span (Telemetry/SetupTrace.cs) when this request belongs to one; no root spans
        // for requests outside a traced setup.
        using var span = System.Diagnostics.Activity.Current is null
            ? null
            : Observability.AetherTracing.Source.StartActivity("dhcp.relay " + type.ToString().ToUpperInvariant(), System.Diagnostics.ActivityKind.Client);
        span?.SetTag("server.address", _server.Address.ToString());
        span?.SetTag("server.port", _server.Port);
        span?.SetTag("aether.mac", key.Mac);
        span?.SetTag("aether.circuit_id", key.CircuitId);
        RelayToServer(frame);
    }

    private void RelayToServer(CapturedFrame frame)
    {
        var port = frame.Port;
        var buffer = ArrayPool<byte>.Shared.Rent(DhcpRelay.MaxMessageSize);
        try
        {
            if (!EthernetFrame.TryParseUdp(frame.Data, out var udp))
            {
                _counters.Drop(port.Name, DropReason.NotDhcp);
                return;
            }
            var rewrite = new RelayRewrite
            {
                GatewayIp = port.GatewayIp,
                Policy = RelayPolicy.RewritePolicy(port.Trust),
                CircuitId = port.InsertedCircuitIdBytes,
                RemoteId = port.InsertedRemoteIdBytes,
                RelayId = _relayId,
                IncrementHops = true,
                MaxHops = (byte)_options.MaxHops,
            };
            var error = DhcpRelay.RewriteForServer(udp.Payload, buffer, rewrite, out var written);
            if (error != RelayRewriteError.None)
            {
                _counters.Drop(port.Name, error == RelayRewriteError.HopLimitExceeded ? DropReason.HopLimit : DropReason.RewriteFailed);
                LogRewriteFailed(port.Name, error.ToString());
                return;
            }
            SocketFor(port).SendTo(buffer.AsSpan(0, written), System.Net.Sockets.SocketFlags.None, _server);
            _counters.RelayedToServer();
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            // Also reached after an awaited authorization, where nothing above would count it.
            _counters.Drop(port.Name, DropReason.InternalError);
            LogFrameFailed(port.Name, ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            frame.Return();
        }
    }

    private void Drop(CapturedFrame frame, DropReason reason)
    {
        _counters.Drop(frame.Port.Name, reason);
        frame.Return();
    }
}
