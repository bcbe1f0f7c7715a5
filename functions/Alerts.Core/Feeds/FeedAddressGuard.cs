using System.Net;
using System.Net.Http;
using System.Net.Sockets;

namespace Alerts.Core.Feeds;

/// <summary>Thrown when a feed host resolves only to addresses the SSRF guard refuses.</summary>
public sealed class FeedAddressRefusedException(string host, string reason)
    : IOException($"Refused to connect to {host}: it resolves to {reason} addresses (SSRF guard; see Feeds__AllowLoopback / Feeds__AllowPrivateNetworks).");

/// <summary>
/// SSRF guard. It runs in the socket connect step, after DNS, so it also covers every redirect hop and DNS names
/// that point inward (a URL check alone is fooled by <c>http://127.0.0.1.nip.io</c> or a redirect to
/// <c>169.254.169.254</c>). Addresses are compared as bytes without their IPv6 scope id (<c>[::%251]</c> is
/// <c>::</c>, which connects to this machine), and the socket connects to exactly the addresses that were checked.
/// </summary>
public static class FeedAddressGuard
{
    public enum AddressClass
    {
        Public,
        Loopback,
        Private,
        /// <summary>
        /// Link-local (incl. the 169.254.169.254 cloud metadata endpoint and Azure's 168.63.129.16), unspecified,
        /// multicast, documentation, benchmarking, translation and tunnelling prefixes, reserved: everything in the
        /// IANA IPv4 and IPv6 special-purpose registries that is not plain public unicast.
        /// </summary>
        Forbidden,
    }

    /// <summary>Azure's virtual public IP for the host agent, DNS and health probes: reachable from every VM, never a feed.</summary>
    private static readonly IPAddress AzureWireServer = IPAddress.Parse("168.63.129.16");

    /// <summary>The same address without its IPv6 scope id; IPv4-mapped IPv6 becomes IPv4.</summary>
    public static IPAddress Normalize(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            return address.MapToIPv4();
        return address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0
            ? new IPAddress(address.GetAddressBytes())
            : address;
    }

    public static AddressClass Classify(IPAddress address)
    {
        address = Normalize(address);
        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => ClassifyV4(address.GetAddressBytes()),
            AddressFamily.InterNetworkV6 => ClassifyV6(address.GetAddressBytes()),
            _ => AddressClass.Forbidden,
        };
    }

    /// <summary>IANA IPv4 Special-Purpose Address Registry, plus Azure's wire server.</summary>
    private static AddressClass ClassifyV4(byte[] b)
    {
        if (b[0] == 127)
            return AddressClass.Loopback;
        if (b.AsSpan().SequenceEqual(AzureWireServer.GetAddressBytes()))
            return AddressClass.Forbidden;
        return b[0] switch
        {
            10 => AddressClass.Private,
            172 when b[1] is >= 16 and <= 31 => AddressClass.Private,
            192 when b[1] == 168 => AddressClass.Private,
            100 when b[1] is >= 64 and <= 127 => AddressClass.Private, // shared address space (carrier-grade NAT)
            0 or >= 224 => AddressClass.Forbidden, // "this network", multicast, reserved, broadcast
            169 when b[1] == 254 => AddressClass.Forbidden, // link-local, cloud metadata
            192 when b[1] == 0 && b[2] is 0 or 2 => AddressClass.Forbidden, // IETF protocol assignments, TEST-NET-1
            192 when b[1] == 88 && b[2] == 99 => AddressClass.Forbidden, // deprecated 6to4 relay anycast
            198 when b[1] is 18 or 19 => AddressClass.Forbidden, // benchmarking
            198 when b[1] == 51 && b[2] == 100 => AddressClass.Forbidden, // TEST-NET-2
            203 when b[1] == 0 && b[2] == 113 => AddressClass.Forbidden, // TEST-NET-3
            _ => AddressClass.Public,
        };
    }

    /// <summary>
    /// IANA IPv6 Special-Purpose Address Registry. Only global unicast (2000::/3) can be public; inside it the
    /// translation, tunnelling and documentation prefixes that can lead to any IPv4 address (6to4, Teredo, NAT64)
    /// are refused too.
    /// </summary>
    private static AddressClass ClassifyV6(byte[] b)
    {
        var span = b.AsSpan();
        if (span[..15].IndexOfAnyExcept((byte)0) < 0)
            return b[15] == 1 ? AddressClass.Loopback : AddressClass.Forbidden; // ::1, :: (and ::a.b.c.d below)
        if (span[..12].IndexOfAnyExcept((byte)0) < 0)
            return AddressClass.Forbidden; // ::a.b.c.d, the deprecated IPv4-compatible form
        if ((b[0] & 0xFE) == 0xFC)
            return AddressClass.Private; // unique local fc00::/7
        if ((b[0] & 0xE0) != 0x20)
            return AddressClass.Forbidden; // outside 2000::/3: 64:ff9b::/96, 100::/64, link/site-local, multicast, reserved
        var first = (b[0] << 8) | b[1];
        var second = (b[2] << 8) | b[3];
        return first switch
        {
            0x2001 when second < 0x0200 => AddressClass.Forbidden, // 2001::/23 IETF protocol assignments (Teredo, ORCHID, ...)
            0x2001 when second == 0x0db8 => AddressClass.Forbidden, // documentation
            0x2002 => AddressClass.Forbidden, // 6to4: embeds any IPv4 address
            >= 0x3ff0 and <= 0x3fff => AddressClass.Forbidden, // 3fff::/20 documentation
            _ => AddressClass.Public,
        };
    }

    public static bool IsAllowed(IPAddress address, FeedFetchOptions options) => Classify(address) switch
    {
        AddressClass.Public => true,
        AddressClass.Loopback => options.AllowLoopback,
        AddressClass.Private => options.AllowPrivateNetworks,
        _ => false,
    };

    /// <summary>
    /// A host as a URL or an <see cref="DnsEndPoint"/> carries it ("[::%251]", "::%1", "127.0.0.1") as an address;
    /// null when it is a DNS name. A bracketed host that does not parse is refused as an address, never resolved.
    /// </summary>
    public static bool TryParseLiteral(string host, out IPAddress? address)
    {
        var text = Uri.UnescapeDataString(host.Trim());
        var bracketed = text.StartsWith('[');
        text = text.Trim('[', ']');
        if (IPAddress.TryParse(text, out var parsed))
        {
            address = Normalize(parsed);
            return true;
        }
        address = null;
        return bracketed || text.Contains(':') || text.Contains('%');
    }

    /// <summary>
    /// A quick check without DNS for URLs an admin types or imports: a literal IP or "localhost" that would be refused.
    /// The connect-time check stays the one that counts.
    /// </summary>
    public static bool IsRefusedLiteral(Uri uri, FeedFetchOptions options)
    {
        if (uri.IsLoopback && uri.HostNameType == UriHostNameType.Dns)
            return !options.AllowLoopback;
        if (!TryParseLiteral(uri.Host, out var ip))
            return false;
        return ip is null || !IsAllowed(ip, options);
    }

    /// <summary>
    /// The addresses the guard lets a connection to <paramref name="host"/> use, each normalised; throws
    /// <see cref="FeedAddressRefusedException"/> when there are none.
    /// </summary>
    public static async Task<IPAddress[]> AllowedAddressesAsync(string host, FeedFetchOptions settings, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        if (TryParseLiteral(host, out var literal))
            addresses = literal is null ? [] : [literal];
        else
            addresses = (await Dns.GetHostAddressesAsync(host, cancellationToken)).Select(Normalize).ToArray();
        var allowed = addresses.Where(a => IsAllowed(a, settings)).ToArray();
        if (allowed.Length == 0)
        {
            var classes = string.Join(" and ", addresses.Select(Classify).Distinct().Select(c => c.ToString().ToLowerInvariant()));
            throw new FeedAddressRefusedException(host, classes.Length > 0 ? classes : "no valid");
        }
        return allowed;
    }

    /// <summary>A <see cref="SocketsHttpHandler.ConnectCallback"/> that resolves the host and connects only to allowed addresses.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectCallback(Func<FeedFetchOptions> options) =>
        async (context, cancellationToken) =>
        {
            var allowed = await AllowedAddressesAsync(context.DnsEndPoint.Host, options(), cancellationToken);
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
