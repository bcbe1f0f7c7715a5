using Alerts.Core.Matching;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Core.Tests.Matching;

/// <summary>How a matcher instance keeps its index current without reading every subscription per article.</summary>
[Collection(StorageCollection.Name)]
public sealed class SubscriptionIndexProviderTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly MatchDocument DacaArticle = new("Court rules on DACA", "The ruling covers DACA renewals.", "news.test");

    private readonly CoreInstances _instances = new();

    public void Dispose() => _instances.Dispose();

    /// <summary>One matcher process: its own services (as the hosts register them) on the shared storage.</summary>
    private ServiceProvider Instance(AlertsStorage storage, TimeProvider time) => _instances.Start(storage, time, new Dictionary<string, string?>
    {
        ["Matching:IndexRefreshInterval"] = "00:00:30",
        ["Matching:SnapshotInterval"] = "00:15:00",
    });

    private SubscriptionSnapshotWriter Writer(AlertsStorage storage) => Instance(storage, TimeProvider.System).GetRequiredService<SubscriptionSnapshotWriter>();

    private SubscriptionIndexProvider Provider(AlertsStorage storage, TimeProvider time) => Instance(storage, time).GetRequiredService<SubscriptionIndexProvider>();

    private static Subscription Active(string query) =>
        new(SubscriptionStore.NewId(), "reader@example.test", query, Frequency.Daily, SubscriptionStatus.Active, DateTimeOffset.UtcNow);

    [Fact]
    public async Task A_new_subscription_and_an_unsubscribe_take_effect_at_the_next_refresh()
    {
        var storage = await azurite.ResetAsync();
        var store = new SubscriptionStore(storage);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var provider = Provider(storage, clock);
        Assert.Empty((await provider.GetAsync()).Index.Match(DacaArticle));

        var daca = Active("DACA");
        await store.AddAsync(daca);
        Assert.Empty((await provider.GetAsync()).Index.Match(DacaArticle));
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(daca.Id, Assert.Single((await provider.GetAsync()).Index.Match(DacaArticle)).SubscriptionId);

        await store.UpsertAsync(daca with { Status = SubscriptionStatus.Unsubscribed });
        clock.Advance(TimeSpan.FromSeconds(30));
        var (index, subscriptions) = await provider.GetAsync();
        Assert.Empty(index.Match(DacaArticle));
        Assert.DoesNotContain(daca.Id, subscriptions.Keys);
    }

    [Fact]
    public async Task A_cold_instance_loads_the_snapshot_and_the_changes_since_not_the_whole_table()
    {
        var storage = await azurite.ResetAsync();
        var store = new SubscriptionStore(storage);
        var before = Active("DACA");
        await store.AddAsync(before);
        await Provider(storage, TimeProvider.System).RefreshAsync(); // no snapshot yet: the first instance has the writer make one

        var after = Active("\"DACA renewals\"");
        await store.AddAsync(after);
        // A row written behind the change log's back: only a full table read would find it.
        var hidden = Active("DACA ruling");
        await storage.Table(TableNames.Subscriptions).UpsertEntityAsync(new TableEntity(hidden.Id, "subscription")
        {
            ["Email"] = hidden.Email, ["Query"] = hidden.Query, ["Frequency"] = "Daily", ["Status"] = "Active", ["CreatedAt"] = hidden.CreatedAt,
        });

        var cold = Provider(storage, TimeProvider.System);
        var matched = (await cold.GetAsync()).Index.Match(DacaArticle).Select(m => m.SubscriptionId).ToHashSet();

        Assert.Contains(before.Id, matched);
        Assert.Contains(after.Id, matched);
        Assert.DoesNotContain(hidden.Id, matched);
    }

    [Fact]
    public async Task The_next_snapshot_brings_a_warm_instance_the_rows_the_change_log_missed()
    {
        var storage = await azurite.ResetAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var provider = Provider(storage, clock);
        await provider.RefreshAsync();
        var hidden = Active("DACA");
        await storage.Table(TableNames.Subscriptions).UpsertEntityAsync(new TableEntity(hidden.Id, "subscription")
        {
            ["Email"] = hidden.Email, ["Query"] = hidden.Query, ["Frequency"] = "Daily", ["Status"] = "Active", ["CreatedAt"] = hidden.CreatedAt,
        });

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty((await provider.GetAsync()).Index.Match(DacaArticle));
        // The matcher never scans the table; the writer's next snapshot has the row, and the matcher reconciles with it.
        clock.Advance(TimeSpan.FromMinutes(15));
        Assert.Empty((await provider.GetAsync()).Index.Match(DacaArticle));
        Assert.True(await Writer(storage).WriteAsync(force: true));
        clock.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(hidden.Id, Assert.Single((await provider.GetAsync()).Index.Match(DacaArticle)).SubscriptionId);
    }
}
