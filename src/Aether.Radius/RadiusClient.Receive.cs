using System.Net;
using System.Net.Sockets;
using Aether.Radius.Internal;

namespace Aether.Radius;

public sealed partial class RadiusClient
{
    private async Task ReceiveLoopAsync(ClientSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[RadiusConstants.MaxPacketLength];
        EndPoint any = _dualMode ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.Socket.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused)
            {
                // An ICMP port unreachable from a dead server; the retransmission timer handles it.
                continue;
            }
            catch (SocketException ex)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                Log.ReceiveFailed(_logger, ex);
                continue;
            }

            try
            {
                HandleResponse(socket, buffer.AsSpan(0, received.ReceivedBytes), Normalize((IPEndPoint)received.RemoteEndPoint));
            }
            catch (Exception ex)
            {
                Log.ReceiveFailed(_logger, ex);
            }
        }
    }

    private void HandleResponse(ClientSocket socket, ReadOnlySpan<byte> datagram, IPEndPoint source)
    {
        if (!RadiusPacket.TryParse(datagram, out var packet, out var error))
        {
            Statistics.MalformedResponse();
            Log.MalformedResponse(_logger, source, error);
            return;
        }

        var pending = socket.Find(packet.Identifier);
        var attempt = pending?.Current;
        if (pending is null || attempt is null || !attempt.Endpoint.Equals(source) || !Answers(pending.Code, packet.Code))
        {
            Statistics.UnexpectedResponse();
            Log.UnexpectedResponse(_logger, packet.Code, packet.Identifier, source);
            return;
        }

        var secret = attempt.Server.Secret;
        var raw = packet.Raw.Span;
        string? failure = null;
        if (!RadiusAuthenticators.VerifyResponse(raw, attempt.RequestAuthenticator, secret))
        {
            failure = "wrong Response Authenticator";
        }
        else
        {
            var messageAuthenticator = RadiusAuthenticators.VerifyMessageAuthenticator(raw, attempt.RequestAuthenticator, secret);
            if (messageAuthenticator == MessageAuthenticatorStatus.Invalid)
            {
                failure = "wrong Message-Authenticator";
            }
            else if (messageAuthenticator == MessageAuthenticatorStatus.Absent && RequiresMessageAuthenticator(packet.Code))
            {
                failure = "no Message-Authenticator";
            }
        }

        if (failure is not null)
        {
            pending.CountInvalidResponse();
            Statistics.InvalidResponse();
            Log.InvalidResponse(_logger, packet.Code, packet.Identifier, source, failure);
            return;
        }

        var roundTrip = _time.GetElapsedTime(attempt.SentAt);
        pending.Completion.TrySetResult(new RadiusResponse(packet.Code, packet.Identifier, packet.Attributes, source, roundTrip));
    }

    /// <summary>Access-* responses must carry a Message-Authenticator (RFC 3579 3.2, CVE-2024-3596).</summary>
    private static bool RequiresMessageAuthenticator(RadiusCode code) =>
        code is RadiusCode.AccessAccept or RadiusCode.AccessReject or RadiusCode.AccessChallenge;

    private static bool Answers(RadiusCode request, RadiusCode response) => request switch
    {
        RadiusCode.AccessRequest => response is RadiusCode.AccessAccept or RadiusCode.AccessReject or RadiusCode.AccessChallenge,
        RadiusCode.AccountingRequest => response is RadiusCode.AccountingResponse,
        RadiusCode.StatusServer => response is RadiusCode.AccessAccept or RadiusCode.AccountingResponse,
        _ => false,
    };

    private static IPEndPoint Normalize(IPEndPoint endpoint) =>
        endpoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endpoint.Address.MapToIPv4(), endpoint.Port) : endpoint;
}
