using System.Net;
using System.Net.Http;
using System.Net.Sockets;

namespace Alerts.Core.Feeds;

/// <summary>Thrown when a feed host resolves only to addresses the SSRF guard refuses.</summary>
public sealed class FeedAddressRefusedException(string host, string reason)
    : IOException($"Refused to connect to {host}: it resolves to {reason} addresses (SSRF guard; see Feeds__AllowLoopback / Feeds__AllowPrivateNetworks).");

/// <summary>
/// SSRF guard. It runs in the socket connect step, after DNS, so it also covers redirects and DNS names that point
/// inward (a URL check alone is fooled by <c>http://127.0.0.1.nip.io</c> or a redirect to <c>169.254.169.254</c>).
/// </summary>
public static class FeedAddressGuard
{
    public enum AddressClass
    {
        Public,
        Loopback,
        Private,
        /// <summary>Link-local (incl. the 169.254.169.254 cloud metadata endpoint), unspecified, multicast, reserved.</summary>
        Forbidden,
    }

    public static AddressClass Classify(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address))
            return AddressClass.Loopback;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] switch
            {
                10 => AddressClass.Private,
                172 when b[1] is >= 16 and <= 31 => AddressClass.Private,
                192 when b[1] == 168 => AddressClass.Private,
                100 when b[1] is >= 64 and <= 127 => AddressClass.Private, // carrier-grade NAT
                0 or >= 224 => AddressClass.Forbidden,
                169 when b[1] == 254 => AddressClass.Forbidden,
                192 when b[1] == 0 && b[2] == 0 => AddressClass.Forbidden,
                198 when b[1] is 18 or 19 => AddressClass.Forbidden,
                _ => AddressClass.Public,
            };
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.Equals(IPAddress.IPv6None) || address.IsIPv6LinkLocal || address.IsIPv6Multicast || address.IsIPv6SiteLocal)
                return AddressClass.Forbidden;
            var b = address.GetAddressBytes();
            if ((b[0] & 0xFE) == 0xFC)
                return AddressClass.Private; // unique local fc00::/7
            return AddressClass.Public;
        }
        return AddressClass.Forbidden;
    }

    public static bool IsAllowed(IPAddress address, FeedFetchOptions options) => Classify(address) switch
    {
        AddressClass.Public => true,
        AddressClass.Loopback => options.AllowLoopback,
        AddressClass.Private => options.AllowPrivateNetworks,
        _ => false,
    };

    /// <summary>
    /// A quick check without DNS for URLs an admin types or imports: a literal IP or "localhost" that would be refused.
    /// The connect-time check stays the one that counts.
    /// </summary>
    public static bool IsRefusedLiteral(Uri uri, FeedFetchOptions options)
    {
        if (uri.IsLoopback && uri.HostNameType == UriHostNameType.Dns)
            return !options.AllowLoopback;
        return IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var ip) && !IsAllowed(ip, options);
    }

    /// <summary>A <see cref="SocketsHttpHandler.ConnectCallback"/> that resolves the host and connects only to allowed addresses.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectCallback(Func<FeedFetchOptions> options) =>
        async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
                ? [literal]
                : await Dns.GetHostAddressesAsync(host, cancellationToken);
            var settings = options();
            var allowed = addresses.Where(a => IsAllowed(a, settings)).ToArray();
            if (allowed.Length == 0)
            {
                var classes = string.Join(" and ", addresses.Select(Classify).Distinct().Select(c => c.ToString().ToLowerInvariant()));
                throw new FeedAddressRefusedException(host, classes.Length > 0 ? classes : "no");
            }
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
}
