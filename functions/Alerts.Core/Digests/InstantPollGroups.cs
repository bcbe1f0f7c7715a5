using Alerts.Core.Subscriptions;

namespace Alerts.Core.Digests;

/// <summary>
/// One email per address and poll (or late article): the instant alerts of one address whose matches came from the same poll share the
/// email of one of them, the lead, with a section per alert, as a grouped periodic digest does (the lead's Digests row
/// carries <see cref="DigestRecord.Members"/> and the frozen <see cref="DigestRecord.Sections"/>; every other
/// member's row says <see cref="DigestRecord.GroupedInto"/> the lead).
/// <para>
/// What makes it safe is the same insert-only claim the scheduler uses: a member's row for the poll is written once,
/// and names for good the row whose email carries that member's matches of the poll (its own, or its lead's). So no
/// two emails can both take a member's match, whoever leads: a match goes in its carrier's email if that email froze
/// it, or else (frozen without it, finished without it, or a carrier that never leads) to the next key. A carrier's
/// frozen list never changes, so that choice is final. The next key of a poll is the article's late email
/// (<c>instant-late-{articleId}</c>), grouped by the same rules, so a late story two alerts match arrives once; the
/// next key of that is the subscription's own email of the article (<c>instant-{articleId}</c>), never grouped.
/// </para>
/// <para>
/// The lead is the smallest id among the address's active instant alerts (the member's own if the address index
/// misses it) when a member first joins. Who that is can
/// change between two messages of a poll (an alert paused, resumed, unsubscribed): a member whose row already exists
/// keeps its carrier, one without a row joins the lead of the moment, or leads an email of its own when that lead's
/// email is already frozen. The worst case is two emails for one address and poll (and one more per story matched
/// after the freeze), never one match in two emails and never one in none.
/// </para>
/// </summary>
public sealed class InstantPollGroups(DigestStore digests, SubscriptionStore subscriptions, TimeProvider time)
{
    /// <summary>
    /// Whether the row that carries a member's email of a poll (read once) shows that the email does not carry the
    /// member's match of <paramref name="articleId"/>: frozen without it, finished with nothing frozen, or a row that is
    /// itself a member of another email (it never leads one). Then the article's own key sends it.
    /// </summary>
    public static bool CarriedElsewhere(DigestRecord? carrier, string subscriptionId, string articleId) => carrier switch
    {
        null => false,
        { GroupedInto: not null } => true,
        { Sections: { } sections } => !sections.Any(x => x.SubscriptionId == subscriptionId && x.ArticleIds.Contains(articleId, StringComparer.Ordinal)),
        { ArticleIds: { } ids } => carrier.SubscriptionId != subscriptionId || !ids.Contains(articleId, StringComparer.Ordinal),
        _ => carrier.IsFinished,
    };

    /// <summary>
    /// The row that carries (or will carry) the subscription's email of the poll, without joining anything: its lead's
    /// row when its own says it is grouped into one, else its own (null while nothing is written). For the sweep.
    /// </summary>
    public async Task<DigestRecord?> CarrierAsync(string subscriptionId, string key, CancellationToken cancellationToken = default)
    {
        var own = await digests.GetAsync(subscriptionId, key, cancellationToken);
        return own?.GroupedInto is { } lead ? await digests.GetAsync(lead, key, cancellationToken) : own;
    }

    /// <summary>
    /// Fixes which subscription's row carries <paramref name="subscriptionId"/>'s email of the poll and returns its id:
    /// the one its row already names, or (no row yet) the address's lead, joined by writing the member's row. The
    /// subscription itself when it leads: it is the lead, the lead's email is already frozen, or it is not active (its
    /// own row then says it was skipped). With it, the address's alerts when they were read (for <see cref="MembersAsync"/>).
    /// </summary>
    public async Task<(string CarrierId, IReadOnlyList<Subscription>? Address)> JoinAsync(string subscriptionId, string key, CancellationToken cancellationToken)
    {
        var own = await digests.GetAsync(subscriptionId, key, cancellationToken);
        if (own is not null)
            return (own.GroupedInto ?? subscriptionId, null);
        if (await subscriptions.GetAsync(subscriptionId, cancellationToken) is not { Status: SubscriptionStatus.Active } member)
            return (subscriptionId, null);
        var address = await subscriptions.ListByEmailAsync(member.Email, cancellationToken);
        var lead = address.Where(IsInstant).Select(s => s.Id).Append(member.Id).Order(StringComparer.Ordinal).First();
        // A lead's row is first written when its email freezes; after that no one joins it.
        if (lead == subscriptionId || await digests.GetAsync(lead, key, cancellationToken) is not null)
            return (subscriptionId, address);
        if (await digests.TryScheduleAsync(subscriptionId, key, time.GetUtcNow(), cancellationToken, groupedInto: lead))
            return (lead, null);
        // Written meanwhile: by the lead freezing (it claims its members) or by another worker for this member.
        return ((await digests.GetAsync(subscriptionId, key, cancellationToken))?.GroupedInto ?? subscriptionId, null);
    }

    /// <summary>
    /// The subscriptions a lead's email of the poll carries, the lead first: every active instant alert of its address
    /// whose row for the poll this call wrote (insert-only, grouped into the lead) or already names the lead. One whose
    /// row names another carrier stays out. Called just before the lead's row is frozen.
    /// </summary>
    /// <param name="address">The lead's address's alerts if <see cref="JoinAsync"/> just read them for the lead itself.</param>
    public async Task<IReadOnlyList<string>> MembersAsync(
        string leadId, string key, CancellationToken cancellationToken, IReadOnlyList<Subscription>? address = null)
    {
        var members = new List<string> { leadId };
        // A lead paused or gone since its members joined leads nobody: its email is skipped and theirs go alone.
        if ((address?.FirstOrDefault(s => s.Id == leadId) ?? await subscriptions.GetAsync(leadId, cancellationToken))
            is not { Status: SubscriptionStatus.Active } lead)
            return members;
        foreach (var other in address ?? await subscriptions.ListByEmailAsync(lead.Email, cancellationToken))
        {
            if (other.Id == leadId || !IsInstant(other))
                continue;
            if (await digests.TryScheduleAsync(other.Id, key, time.GetUtcNow(), cancellationToken, groupedInto: leadId)
                || (await digests.GetAsync(other.Id, key, cancellationToken))?.GroupedInto == leadId)
                members.Add(other.Id);
        }
        return members;
    }

    /// <summary>Who can be in (and lead) an address's email of a poll: its active instant alerts.</summary>
    private static bool IsInstant(Subscription s) => s is { Status: SubscriptionStatus.Active, Frequency: Frequency.Instant };
}
