using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Alerts.Core.Feeds;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.LocalHost.Tests;

/// <summary>
/// Three local-host worker processes (<c>Alerts.LocalHost --worker</c>) on one Azurite, one SMTP server and twelve
/// loopback feeds on one host, every timer and queue listener running on its own in each, as three scaled-out
/// Functions instances would: the limits that must hold for the service as a whole hold across all three.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class MultiInstanceTests(AzuriteFixture azurite)
{
    private const int Instances = 3;
    /// <summary>Twice what one worker takes in flight from a queue, so the feeds are always fetched by more than one.</summary>
    private const int FeedCount = 2 * global::Alerts.LocalHost.QueueListener.MaxInFlight;
    private const int ItemsPerFeed = 2;
    private const int MaxConcurrentPerHost = 2;
    /// <summary>Long enough that the scheduling jitter of three processes on a busy machine stays well under half of it.</summary>
    private static readonly TimeSpan MinHostGap = TimeSpan.FromSeconds(1);
    private const string AdminKey = "multi-instance-admin-key";
    private const int SubscribeLimit = 4;

    [Fact]
    public async Task Three_workers_keep_per_host_politeness_the_subscribe_limit_one_snapshot_writer_and_send_every_alert_once()
    {
        var storage = await azurite.ResetAsync();
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var feeds = await TestFeedServer.StartAsync();
        var now = DateTimeOffset.UtcNow;

        // Three instant-alert subscribers, confirmed before the articles arrive.
        var subscribers = new List<string>();
        var subscriptions = new SubscriptionStore(storage);
        for (var s = 0; s < 3; s++)
        {
            subscribers.Add($"reader{s}@example.test");
            await subscriptions.AddAsync(new Subscription(SubscriptionStore.NewId(), subscribers[^1], "DACA", Frequency.Instant,
                SubscriptionStatus.Active, now.AddDays(-1), now.AddDays(-1)));
        }

        var workers = new List<Worker>();
        try
        {
            for (var i = 0; i < Instances; i++)
                workers.Add(Worker.Start(i, azurite.ConnectionString, smtp.Port));
            await Task.WhenAll(workers.Select(w => w.WaitUntilListeningAsync()));
            // Running workers, as in production: each has read a feed once, from another host name, so that the first
            // request and slot write of a new process (compiling the HTTP and storage stacks, once about 0.8 s on the
            // busy machine) do not make one of the paced requests below reach the server late, close to the next.
            feeds.SetFeed("/warm-up.xml", "Warm-up");
            feeds.AddItem("/warm-up.xml", "An earlier story", "https://news.test/earlier", "About nothing new.", now.AddMinutes(-5));
            foreach (var worker in workers)
            {
                using var test = new HttpRequestMessage(HttpMethod.Post, "/api/admin/feeds/test")
                {
                    Content = JsonContent.Create(new { url = feeds.Url("/warm-up.xml").Replace("127.0.0.1", "localhost", StringComparison.Ordinal) }),
                };
                test.Headers.Add("x-functions-key", AdminKey);
                Assert.Equal(HttpStatusCode.OK, (await worker.Http.SendAsync(test)).StatusCode);
            }

            // The feeds, all on one host, each slow enough to answer that requests from different workers would overlap; added
            // once every worker listens, so that no worker has the queue to itself at the start.
            var feedStore = new FeedStore(storage);
            for (var f = 0; f < FeedCount; f++)
            {
                var path = $"/feed{f}.xml";
                feeds.SetFeed(path, $"Feed {f}");
                for (var i = 0; i < ItemsPerFeed; i++)
                    feeds.AddItem(path, $"DACA story {f}-{i}", $"https://news.test/{f}/{i}", "About DACA.", now.AddMinutes(-5));
                // Longer than the gap, so that two requests overlap and a third would show if the limit did not hold.
                feeds.SetDelay(path, TimeSpan.FromMilliseconds(1500));
                Assert.True(await feedStore.TryAddAsync(Feed.Create(feeds.Url(path), now.AddMinutes(-1), TimeSpan.FromMinutes(15))));
            }

            // The subscribe limit: one client spreads nine requests over the three instances.
            var answers = new List<HttpStatusCode>();
            for (var i = 0; i < 9; i++)
                answers.Add((await workers[i % Instances].Http.PostAsJsonAsync("/api/subscriptions",
                    new { email = $"new{i}@example.test", query = "DACA", frequency = "daily" })).StatusCode);
            Assert.Equal(SubscribeLimit, answers.Count(a => a == HttpStatusCode.Accepted));
            Assert.Equal(9 - SubscribeLimit, answers.Count(a => a == HttpStatusCode.TooManyRequests));

            // Every alert arrives: each feed's items for each subscriber.
            var expected = FeedCount * ItemsPerFeed * subscribers.Count;
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (Alerts(smtp, subscribers).Count < expected && DateTime.UtcNow < deadline)
                await Task.Delay(500);
            // A little longer, so that a duplicate sent late would be seen.
            await Task.Delay(TimeSpan.FromSeconds(3));

            var alerts = Alerts(smtp, subscribers);
            Assert.Equal(expected, alerts.Count);
            Assert.Equal(expected, alerts.Distinct().Count()); // each subscriber and article exactly once
            foreach (var subscriber in subscribers)
                Assert.Equal(FeedCount * ItemsPerFeed, alerts.Count(a => a.To == subscriber));

            // Per-host politeness across the three: never more than two requests in flight, starts a gap apart.
            var requests = feeds.AllRequests.Where(r => r.Path.StartsWith("/feed", StringComparison.Ordinal)).ToList();
            Assert.True(requests.Count >= FeedCount, $"only {requests.Count} feed requests");
            Assert.All(requests, r => Assert.NotNull(r.FinishedAt));
            var overlap = requests.SelectMany(r => new[] { (At: r.ArrivedAt, Delta: 1), (At: r.FinishedAt!.Value, Delta: -1) })
                .OrderBy(e => e.At).ThenBy(e => e.Delta)
                .Aggregate((Current: 0, Max: 0), (acc, e) => (acc.Current + e.Delta, Math.Max(acc.Max, acc.Current + e.Delta))).Max;
            Assert.True(overlap <= MaxConcurrentPerHost, $"{overlap} requests to the host in flight at once");
            // Starts are booked a gap apart across the three, and a worker that could begin only more than a quarter of
            // the gap after its booked instant books again: every slot of the host, whichever worker took it, began at
            // least three quarters of a gap after the one before.
            var begins = workers.SelectMany(w => Regex.Matches(w.Log, @"A slot for host 127\.0\.0\.1 begins at (\S+),")
                .Select(m => DateTimeOffset.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))).Order().ToList();
            Assert.True(begins.Count >= requests.Count, $"{begins.Count} slots logged for {requests.Count} requests");
            var gap = begins.Zip(begins.Skip(1), (a, b) => b - a).Min();
            Assert.True(gap >= MinHostGap * 0.75 - TimeSpan.FromMilliseconds(5), $"two slots of the host began {gap.TotalMilliseconds:0} ms apart");
            // What the server sees also carries each process's delay between beginning and the request reaching the
            // socket (a busy 2-core machine running other tests and a browser beside three workers: once over 0.5 s),
            // so from there: over the whole run the host was paced at the gap.
            var starts = requests.Select(r => r.ArrivedAt).Order().ToList();
            var span = starts[^1] - starts[0];
            Assert.True(span >= (starts.Count - 1) * MinHostGap * 0.8, $"{starts.Count} requests within {span.TotalSeconds:0.0} s");
            // And the feeds were fetched by more than one worker, so the limits were shared, not one worker's own.
            Assert.True(workers.Count(w => w.Log.Contains("fetched: 200")) >= 2,
                "the fetches all ran on one worker: " + string.Join(", ", workers.Select(w => Regex.Matches(w.Log, "fetched: 200").Count))
                + "\n" + string.Join("\n----\n", workers.Select(w => w.Log[Math.Max(0, w.Log.Length - 4000)..])));

            // One snapshot writer: each snapshot was written by one worker, and no two within half the interval.
            var written = workers.SelectMany(w => Regex.Matches(w.Log, @"Subscription snapshot of (\S+) written")
                .Select(m => (Worker: w.Index, Version: DateTimeOffset.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)))).ToList();
            Assert.NotEmpty(written);
            var versions = written.Select(w => w.Version).Order().ToList();
            Assert.All(versions.Zip(versions.Skip(1), (a, b) => b - a), d => Assert.True(d >= Worker.SnapshotInterval / 2, $"two snapshots {d} apart"));
            Assert.True(workers.Sum(w => Regex.Matches(w.Log, "writing the subscription snapshot; skipped|is recent; skipped").Count) >= 1,
                "no worker ever left the snapshot to another");
        }
        finally
        {
            foreach (var worker in workers)
                worker.Dispose();
        }
    }

    /// <summary>The alerts the subscribers got, as (recipient, story): an instant alert carries one article.</summary>
    /// <summary>Each (subscriber, story) an email carried: an instant email carries every story of its poll.</summary>
    private static List<(string To, string Story)> Alerts(TestSmtpServer smtp, IReadOnlyCollection<string> subscribers) =>
        smtp.Messages
            .Where(m => subscribers.Contains(m.To.Mailboxes.First().Address))
            .SelectMany(m => Regex.Matches(Regex.Replace(m.HtmlBody ?? m.TextBody ?? "", "<[^>]+>", ""), @"DACA story (\d+-\d+)")
                .Select(match => match.Groups[1].Value).Distinct()
                .Select(story => (To: m.To.Mailboxes.First().Address, Story: story)))
            .ToList();

    /// <summary>One <c>Alerts.LocalHost --worker</c> process with its output captured.</summary>
    private sealed class Worker : IDisposable
    {
        public static readonly TimeSpan SnapshotInterval = TimeSpan.FromSeconds(4);

        private readonly Process _process;
        private readonly System.Text.StringBuilder _log = new();

        private Worker(int index, Process process, int port)
        {
            Index = index;
            _process = process;
            Port = port;
            Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public int Index { get; }
        public int Port { get; }
        public HttpClient Http { get; }

        public string Log
        {
            get { lock (_log) return _log.ToString(); }
        }

        public static Worker Start(int index, string storage, int smtpPort)
        {
            var port = FreePort.Next();
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
            var dll = Path.Combine(RepositoryRoot.Path, "functions", "Alerts.LocalHost", "bin", configuration, "net10.0", "Alerts.LocalHost.dll");
            Assert.True(File.Exists(dll), $"{dll} is missing: build the solution first.");
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryRoot.Path };
            foreach (var arg in new[] { "exec", dll, "--worker", "--port", port.ToString() })
                info.ArgumentList.Add(arg);
            var settings = new Dictionary<string, string>
            {
                ["AzureWebJobsStorage"] = storage,
                ["Smtp__Host"] = "127.0.0.1",
                ["Smtp__Port"] = smtpPort.ToString(),
                ["Smtp__Security"] = "None",
                ["Smtp__FromAddress"] = "alerts@alerts.test",
                ["Tokens__SigningKey"] = "multi-instance-test-signing-key-0123456789abcdef",
                ["Admin__ApiKey"] = AdminKey,
                ["Feeds__AllowLoopback"] = "true",
                ["Feeds__MaxConcurrentPerHost"] = MaxConcurrentPerHost.ToString(),
                ["Feeds__MinHostGap"] = MinHostGap.ToString(),
                // One feed a message: more messages than one worker takes in flight (batchSize + newBatchThreshold, as
                // in host.json), so the host's feeds are always fetched by more than one worker.
                ["Feeds__FeedsPerMessage"] = "1",
                // A feed that waits longer than this for the host's slot goes back to the queue (hidden one to two
                // timeouts) for any worker to take, so the feeds end up spread over the workers (asserted below).
                ["Feeds__Timeout"] = "00:00:05",
                // Each slot's beginning, as the worker saw it (asserted below).
                ["Logging__LogLevel__Alerts.Core.Feeds.SharedHostSlots"] = "Debug",
                ["SubscribeLimits__PerClientPerHour"] = SubscribeLimit.ToString(),
                // Every timer on its own in every worker, as on a host without the Functions singleton lock.
                [ScheduleSettings.Poll] = "*/2 * * * * *",
                [ScheduleSettings.IndexSnapshot] = "*/1 * * * * *",
                [ScheduleSettings.Digest] = "0 0 0 1 1 *",
                [ScheduleSettings.UnsubscribeMailbox] = "0 0 0 1 1 *",
                [ScheduleSettings.DeliverySweep] = "0 0 0 1 1 *",
                ["Matching__SnapshotInterval"] = SnapshotInterval.ToString(),
                ["Matching__IndexRefreshInterval"] = "00:00:00",
            };
            foreach (var (name, value) in settings)
                info.Environment["ALERTS_" + name] = value;
            var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
            return new Worker(index, process, port);
        }

        public async Task WaitUntilListeningAsync()
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                if (_process.HasExited)
                    throw new InvalidOperationException($"Worker {Index} exited with {_process.ExitCode}:\n{Log}");
                try
                {
                    if ((await Http.GetAsync("/healthz")).StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable)
                        return;
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline)
                {
                }
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"Worker {Index} did not answer within a minute:\n{Log}");
                await Task.Delay(200);
            }
        }

        public void Dispose()
        {
            Http.Dispose();
            ServerProcess.Stop(_process);
        }
    }
}
