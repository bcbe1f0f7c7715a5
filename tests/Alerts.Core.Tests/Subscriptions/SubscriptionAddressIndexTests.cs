using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;
using Azure.Data.Tables;

namespace Alerts.Core.Tests.Subscriptions;

/// <summary>
/// Subscribe requests and manage pages find an address's subscriptions through the index by address (one partition
/// read), never by scanning every subscription; the store's write path keeps the index in step and a repair job
/// rebuilds it.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class SubscriptionAddressIndexTests(AzuriteFixture azurite)
{
    private static Subscription Jane(string query) =>
        new(SubscriptionStore.NewId(), "jane@example.test", query, Frequency.Daily, SubscriptionStatus.Active, DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task The_address_lookup_reads_the_index_so_a_row_written_around_it_is_invisible_until_the_repair_job()
    {
        var storage = await azurite.ResetAsync();
        var store = new SubscriptionStore(storage);
        var indexed = Jane("DACA");
        await store.UpsertAsync(indexed);
        await store.UpsertAsync(Jane("asylum") with { Email = "bob@example.test" });
        var around = Jane("sanctuary");
        // A row the index does not know of (written before the index existed): a scan would find it, the index does not.
        await storage.Table(TableNames.Subscriptions).AddEntityAsync(new TableEntity(around.Id, "subscription")
        {
            ["Email"] = around.Email, ["Query"] = around.Query, ["Frequency"] = "Daily", ["Status"] = "Active", ["CreatedAt"] = around.CreatedAt,
        });

        Assert.Equal([indexed.Id], (await store.ListByEmailAsync(" JANE@example.test")).Select(s => s.Id));

        var (count, removed) = await store.RebuildAddressIndexAsync();

        Assert.Equal((3, 0), (count, removed));
        Assert.Equal(new[] { indexed.Id, around.Id }.Order(StringComparer.Ordinal), (await store.ListByEmailAsync("jane@example.test")).Select(s => s.Id));
    }

    [Fact]
    public async Task Deleting_removes_the_index_row_and_the_repair_job_drops_rows_whose_subscription_is_gone()
    {
        var storage = await azurite.ResetAsync();
        var store = new SubscriptionStore(storage);
        var deleted = Jane("DACA");
        var orphan = Jane("asylum");
        await store.UpsertAsync(deleted);
        await store.UpsertAsync(orphan);
        await store.DeleteAsync(deleted);
        // A crash between the index write and the subscription write leaves an index row alone.
        await storage.Table(TableNames.Subscriptions).DeleteEntityAsync(orphan.Id, "subscription");

        Assert.Empty(await store.ListByEmailAsync("jane@example.test"));
        Assert.Equal((0, 1), await store.RebuildAddressIndexAsync());
        var rows = 0;
        await foreach (var _ in storage.Table(TableNames.SubscriptionsByAddress).QueryAsync<TableEntity>())
            rows++;
        Assert.Equal(0, rows);
    }

    [Fact]
    public async Task The_repair_job_keeps_an_address_s_link_revocation_and_the_address_lookup_skips_it()
    {
        var storage = await azurite.ResetAsync();
        var store = new SubscriptionStore(storage);
        var daca = Jane("DACA");
        await store.UpsertAsync(daca);
        var revokedAt = DateTimeOffset.UtcNow;
        await store.Revocations.RevokeAsync(daca.Email, revokedAt);

        Assert.Equal([daca.Id], (await store.ListByEmailAsync(daca.Email)).Select(s => s.Id));
        Assert.Equal((1, 0), await store.RebuildAddressIndexAsync());

        var before = new SignedToken(daca.Id, revokedAt.AddSeconds(-1));
        var after = new SignedToken(daca.Id, revokedAt);
        Assert.False(await store.Revocations.IsCurrentAsync(daca.Email, before));
        Assert.False(await store.Revocations.IsCurrentAsync(daca.Email, new SignedToken(daca.Id, null)));
        Assert.True(await store.Revocations.IsCurrentAsync(daca.Email, after));
        Assert.True(await store.Revocations.IsCurrentAsync("bob@example.test", before));
    }
}
