using Alerts.Core.Admin;
using Alerts.Core.Feeds;
using Alerts.Core.Tests.Feeds;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.Core.Tests.Admin;

/// <summary>
/// Adding or testing a feed whose host is busy (every slot held by other fetches for longer than a fetch may wait) is
/// a transient answer for the admin, "try again in N s", with nothing stored: not a server error.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class FeedAddBusyHostTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private TestFeedServer _server = null!;

    public async Task InitializeAsync() => _server = await TestFeedServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<FeedTestHost> BusyHostAsync()
    {
        var host = await FeedTestHost.CreateAsync(azurite, new Dictionary<string, string?>
        {
            ["Feeds:MaxConcurrentPerHost"] = "1",
            ["Feeds:Timeout"] = "00:00:01",
        });
        _server.SetFeed("/feed.xml").AddItem("Court rules", "https://news.test/1", "A ruling.");
        return host;
    }

    /// <summary>Another instance (its own throttle on the same storage) takes the host's only shared slot.</summary>
    private async Task<IAsyncDisposable> HoldOnAnotherInstanceAsync(FeedTestHost host)
    {
        // Setup, not what is tested: on the loaded machine a new instance's first slot writes can reply so late that its
        // start moves past this test's 1 s timeout (SharedHostSlots books again rather than begin late); it tries again.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await host.OtherInstance<HostThrottle>().AcquireAsync(_server.BaseUri.IdnHost, CancellationToken.None);
            }
            catch (HostBusyException) when (attempt < 10)
            {
            }
        }
    }

    [Fact]
    public async Task Adding_a_feed_whose_host_stays_busy_says_when_to_try_again_and_stores_nothing()
    {
        await using var host = await BusyHostAsync();
        await using var held = await HoldOnAnotherInstanceAsync(host);

        var result = await host.Service<FeedAdminService>().AddAsync(_server.Url("/feed.xml"), null, null, ItemIdentity.Auto, CancellationToken.None);

        Assert.Equal(AddOutcome.HostBusy, result.Outcome);
        Assert.NotNull(result.RetryAfter);
        Assert.True(result.RetryAfter > TimeSpan.Zero);
        Assert.Contains(_server.BaseUri.IdnHost, result.Summary);
        Assert.Contains("try again", result.Summary);
        Assert.Null(result.Feed);
        Assert.Empty(await host.Feeds.ListAsync().ToListAsync());
        Assert.Equal(0, _server.RequestCount("/feed.xml"));
    }

    [Fact]
    public async Task Testing_a_feed_whose_host_stays_busy_reports_it_as_a_problem()
    {
        await using var host = await BusyHostAsync();
        await using var held = await HoldOnAnotherInstanceAsync(host);

        var report = await host.Service<FeedAdminService>().TestAsync(_server.Url("/feed.xml"), CancellationToken.None);

        Assert.Contains(report.Problems, p => p.Contains("busy", StringComparison.Ordinal) && p.Contains("try again", StringComparison.Ordinal));
        Assert.Empty(report.Items);
    }

    [Fact]
    public async Task Once_the_host_is_free_the_same_add_succeeds()
    {
        await using var host = await BusyHostAsync();
        var held = await HoldOnAnotherInstanceAsync(host);
        var busy = await host.Service<FeedAdminService>().AddAsync(_server.Url("/feed.xml"), null, null, ItemIdentity.Auto, CancellationToken.None);
        await held.DisposeAsync();

        var added = await host.Service<FeedAdminService>().AddAsync(_server.Url("/feed.xml"), null, null, ItemIdentity.Auto, CancellationToken.None);

        Assert.Equal(AddOutcome.HostBusy, busy.Outcome);
        Assert.Equal(AddOutcome.Added, added.Outcome);
        Assert.Equal(1, _server.RequestCount("/feed.xml"));
    }
}
