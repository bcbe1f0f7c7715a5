using System.Net;
using System.Net.Sockets;
using Alerts.Core.Feeds;

namespace Alerts.Core.Tests.Feeds;

/// <summary>The SSRF guard against the addresses an attacker would try, through a real socket connect.</summary>
public sealed class FeedAddressGuardTests
{
    [Theory]
    [InlineData("168.63.129.16")] // Azure wire server
    [InlineData("64:ff9b::a9fe:a9fe")] // NAT64 of 169.254.169.254
    [InlineData("64:ff9b::7f00:1")] // NAT64 of 127.0.0.1
    [InlineData("64:ff9b:1::1")] // local-use translation
    [InlineData("::7f00:1")] // ::127.0.0.1, IPv4-compatible
    [InlineData("::a9fe:a9fe")] // ::169.254.169.254
    [InlineData("2002:7f00:1::1")] // 6to4 of 127.0.0.1
    [InlineData("2002:a9fe:a9fe::")] // 6to4 of the metadata address
    [InlineData("2001::1")] // Teredo
    [InlineData("2001:db8::1")] // documentation
    [InlineData("3fff::1")] // documentation
    [InlineData("100::1")] // discard-only
    [InlineData("::")] // unspecified
    [InlineData("fec0::1")] // site-local
    [InlineData("ff02::1")] // multicast
    [InlineData("::ffff:0:a9fe:a9fe")] // SIIT-translated
    [InlineData("192.0.2.1")] // TEST-NET-1
    [InlineData("198.51.100.1")]
    [InlineData("203.0.113.1")]
    [InlineData("192.88.99.1")] // 6to4 relay anycast
    [InlineData("255.255.255.255")]
    [InlineData("240.0.0.1")]
    public void Special_purpose_addresses_are_refused_even_with_loopback_and_private_networks_allowed(string address)
    {
        var open = new FeedFetchOptions { AllowLoopback = true, AllowPrivateNetworks = true };
        Assert.Equal(FeedAddressGuard.AddressClass.Forbidden, FeedAddressGuard.Classify(IPAddress.Parse(address)));
        Assert.False(FeedAddressGuard.IsAllowed(IPAddress.Parse(address), open));
    }

    [Theory]
    [InlineData("::%1")]
    [InlineData("::1%1")]
    [InlineData("fe80::1%2")]
    public void Scope_ids_do_not_change_how_an_address_is_classified(string address)
    {
        var withScope = IPAddress.Parse(address);
        var without = new IPAddress(withScope.GetAddressBytes());
        Assert.Equal(FeedAddressGuard.Classify(without), FeedAddressGuard.Classify(withScope));
        Assert.NotEqual(FeedAddressGuard.AddressClass.Public, FeedAddressGuard.Classify(withScope));
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("2606:4700::1111")]
    [InlineData("2a00:1450:4001::1")]
    public void Public_unicast_stays_allowed(string address) =>
        Assert.True(FeedAddressGuard.IsAllowed(IPAddress.Parse(address), new FeedFetchOptions()));

    /// <summary>The probe: a redirect hop to http://[::%251]:PORT/ reached a server listening on this machine.</summary>
    [Theory]
    [InlineData("http://[::%251]:{0}/")]
    [InlineData("http://[::1%251]:{0}/")]
    [InlineData("http://[::]:{0}/")]
    [InlineData("http://[::ffff:127.0.0.1]:{0}/")]
    [InlineData("http://[::127.0.0.1]:{0}/")]
    public async Task A_hop_to_this_machine_written_as_an_IPv6_literal_never_connects(string urlFormat)
    {
        using var listener = new TcpListener(IPAddress.IPv6Any, 0);
        listener.Server.DualMode = true;
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var settings = new FeedFetchOptions { AllowLoopback = false, AllowPrivateNetworks = false };
        using var http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            ConnectCallback = FeedAddressGuard.ConnectCallback(() => settings),
        }) { Timeout = TimeSpan.FromSeconds(10) };

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(string.Format(urlFormat, port)));

        Assert.IsType<FeedAddressRefusedException>(ex.InnerException);
        Assert.False(listener.Pending(), "the guard must refuse before any connection reaches the listener");
    }
}
