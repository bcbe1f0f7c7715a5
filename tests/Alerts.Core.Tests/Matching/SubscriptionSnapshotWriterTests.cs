using System.IO.Compression;
using Alerts.Core.Matching;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Core.Tests.Matching;

/// <summary>The one writer of the subscription snapshot: alone under its lease, no addresses, a change log that expires.</summary>
[Collection(StorageCollection.Name)]
public sealed class SubscriptionSnapshotWriterTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly MatchingOptions Matching = new();
    private static readonly TokenOptions Tokens = new();
    private static readonly MatchDocument DacaArticle = new("Court rules on DACA", "The ruling covers DACA renewals.", "news.test");

    private readonly CoreInstances _instances = new();

    public void Dispose() => _instances.Dispose();

    /// <summary>One process's writer: its own services (as the hosts register them, default settings) on the shared storage.</summary>
    private SubscriptionSnapshotWriter Writer(AlertsStorage storage) =>
        _instances.Start(storage, TimeProvider.System).GetRequiredService<SubscriptionSnapshotWriter>();

    private SubscriptionIndexProvider Provider(AlertsStorage storage) =>
        _instances.Start(storage, TimeProvider.System).GetRequiredService<SubscriptionIndexProvider>();

    private static Subscription Active(string query, string email = "jane.doe@example.test") =>
        new(SubscriptionStore.NewId(), email, query, Frequency.Daily, SubscriptionStatus.Active, DateTimeOffset.UtcNow);

    [Fact]
    public async Task Of_five_writers_started_together_exactly_one_writes_the_snapshot()
    {
        var storage = await azurite.ResetAsync();
        await new SubscriptionStore(storage).AddAsync(Active("DACA"));
        var writers = Enumerable.Range(0, 5).Select(_ => Writer(storage)).ToList();

        var results = await Task.WhenAll(writers.Select(w => w.WriteAsync()));

        Assert.Single(results, written => written);
        Assert.Equal(1, writers.Sum(w => w.Written));
        // A writer that comes a moment later finds the snapshot recent and leaves it alone too.
        Assert.False(await Writer(storage).WriteAsync());
    }

    [Fact]
    public async Task Subscriptions_stored_before_the_index_by_address_are_found_by_address_after_the_first_write_and_only_it_rebuilds()
    {
        var storage = await azurite.ResetAsync();
        var store = new SubscriptionStore(storage);
        var old = Active("DACA", email: "Old.Timer@example.test");
        await store.AddAsync(old);
        // As on a deployment from before the index: the subscription row is there, its index row is not.
        await foreach (var row in storage.Table(TableNames.SubscriptionsByAddress).QueryAsync<TableEntity>())
            await storage.Table(TableNames.SubscriptionsByAddress).DeleteEntityAsync(row.PartitionKey, row.RowKey);
        Assert.Empty(await store.ListByEmailAsync("old.timer@example.test"));

        Assert.True(await Writer(storage).WriteAsync(force: true));

        Assert.Equal([old.Id], (await store.ListByEmailAsync("old.timer@example.test")).Select(s => s.Id));
        var marker = storage.Container(SubscriptionSnapshotStore.ContainerName).GetBlobClient(SubscriptionSnapshotWriter.AddressIndexMarkerName);
        Assert.True(await marker.ExistsAsync());
        // Later writes do not rebuild (the marker is there): a row removed now stays removed until a repair.
        await foreach (var row in storage.Table(TableNames.SubscriptionsByAddress).QueryAsync<TableEntity>())
            await storage.Table(TableNames.SubscriptionsByAddress).DeleteEntityAsync(row.PartitionKey, row.RowKey);
        Assert.True(await Writer(storage).WriteAsync(force: true));
        Assert.Empty(await store.ListByEmailAsync("old.timer@example.test"));
    }

    [Fact]
    public async Task The_snapshot_holds_queries_but_no_address()
    {
        var storage = await azurite.ResetAsync();
        await new SubscriptionStore(storage).AddAsync(Active("DACA", email: "jane.doe@example.test"));
        Assert.True(await Writer(storage).WriteAsync(force: true));

        var blob = storage.Container(SubscriptionSnapshotStore.ContainerName).GetBlobClient("subscriptions.jsonl.gz");
        await using var gzip = new GZipStream((await blob.DownloadStreamingAsync()).Value.Content, CompressionMode.Decompress);
        var text = await new StreamReader(gzip).ReadToEndAsync();
        Assert.Contains("DACA", text);
        Assert.DoesNotContain("jane.doe", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("example.test", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_cold_loader_honours_a_delete_made_after_the_snapshot()
    {
        var storage = await azurite.ResetAsync();
        var store = new SubscriptionStore(storage);
        var deleted = Active("DACA");
        var kept = Active("DACA renewals");
        await store.AddAsync(deleted);
        await store.AddAsync(kept);
        Assert.True(await Writer(storage).WriteAsync(force: true));

        // "Delete all my data": the row goes, the change log says so, and no loader brings it back from the snapshot.
        await store.DeleteAsync(deleted);
        var matched = (await Provider(storage).GetAsync()).Index.Match(DacaArticle).Select(m => m.SubscriptionId).ToList();

        Assert.Equal([kept.Id], matched);
    }

    [Fact]
    public async Task The_writer_deletes_change_log_rows_past_their_retention_and_keeps_the_rest()
    {
        var storage = await azurite.ResetAsync();
        var log = storage.Table(TableNames.SubscriptionChanges);
        var old = DateTimeOffset.UtcNow - Matching.ChangeLogRetention - TimeSpan.FromHours(1);
        for (var i = 0; i < 150; i++) // more than one batch of 100 in one partition
            await log.AddEntityAsync(new TableEntity(SubscriptionChangeLog.Bucket(old), $"{old.UtcTicks:D19}-{i:D32}") { ["SubscriptionId"] = $"{i:D32}" });
        var recent = Active("DACA");
        await new SubscriptionStore(storage).AddAsync(recent);

        Assert.True(await Writer(storage).WriteAsync(force: true));

        var left = new List<string>();
        await foreach (var row in log.QueryAsync<TableEntity>())
            left.Add(row.GetString("SubscriptionId")!);
        Assert.Equal([recent.Id], left);
    }

    [Fact]
    public async Task The_writer_refiles_digest_subscriptions_missing_from_the_due_index()
    {
        var storage = await azurite.ResetAsync();
        var s = Active("DACA");
        await new SubscriptionStore(storage).AddAsync(s);
        await new Alerts.Core.Digests.DigestDueIndex(storage).RemoveAsync(s.Id, Alerts.Core.Digests.DigestDueIndex.Unplaced);

        Assert.True(await Writer(storage).WriteAsync(force: true));

        var rows = new List<string>();
        await foreach (var row in storage.Table(TableNames.DigestDue).QueryAsync<TableEntity>())
            rows.Add(row.RowKey);
        Assert.Equal([s.Id], rows);
    }
    [Fact]
    public async Task The_writer_deletes_unconfirmed_subscriptions_past_the_confirmation_lifetime_with_their_index_row_and_keeps_confirmed_and_fresh_ones()
    {
        var storage = await azurite.ResetAsync();
        var store = new SubscriptionStore(storage);
        var old = DateTimeOffset.UtcNow - Tokens.ConfirmationLifetime - TimeSpan.FromHours(1);
        var expired = new Subscription(SubscriptionStore.NewId(), "late@example.test", "DACA", Frequency.Daily, SubscriptionStatus.Pending, old);
        var confirmed = new Subscription(SubscriptionStore.NewId(), "late@example.test", "asylum", Frequency.Daily, SubscriptionStatus.Pending, old);
        var fresh = new Subscription(SubscriptionStore.NewId(), "late@example.test", "visas", Frequency.Daily, SubscriptionStatus.Pending, DateTimeOffset.UtcNow);
        await store.AddAsync(expired);
        await store.AddAsync(confirmed);
        await store.AddAsync(fresh);
        // Confirmed after it was filed as pending: the index row is only a hint.
        await store.UpsertAsync(confirmed with { Status = SubscriptionStatus.Active, ConfirmedAt = DateTimeOffset.UtcNow });

        Assert.True(await Writer(storage).WriteAsync(force: true));

        Assert.Null(await store.GetAsync(expired.Id));
        Assert.NotNull(await store.GetAsync(confirmed.Id));
        Assert.Equal(SubscriptionStatus.Pending, (await store.GetAsync(fresh.Id))?.Status);
        var indexed = new List<string>();
        await foreach (var row in storage.Table(TableNames.SubscriptionsByAddress).QueryAsync<TableEntity>())
            indexed.Add(row.RowKey);
        Assert.Equal(new[] { confirmed.Id, fresh.Id }.Order(StringComparer.Ordinal), indexed.Order(StringComparer.Ordinal));
        // The expired minutes are cleared; only the fresh subscription's row waits.
        var waiting = new List<string>();
        await foreach (var row in storage.Table(TableNames.PendingExpiry).QueryAsync<TableEntity>())
            waiting.Add(row.RowKey);
        Assert.Equal([fresh.Id], waiting);
    }
}
