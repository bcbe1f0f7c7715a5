using Alerts.Benchmarks;

// One process, one command per benchmark: `match` (the matching engine); other commands can be added here.
return args.Length == 0 ? Usage() : args[0] switch
{
    "match" => MatchBenchmark.Run(args[1..]),
    "cost" => await CostBenchmark.RunAsync(args[1..]),
    "index-load" => await IndexLoadBenchmark.RunAsync(args[1..]),
    "poll" => await PollBenchmark.RunAsync(args[1..]),
    "parse" => ParseBenchmark.Run(args[1..]),
    "parse-worst" => ParseBenchmark.Worst(args[1..]),
    "schedule" => await ScheduleBenchmark.RunAsync(args[1..]),
    "index-memory" => await IndexMemoryBenchmark.RunAsync(args[1..]),
    "soak" => await SoakBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Alerts.Benchmarks <command> [options]");
    Console.Error.WriteLine("  cost [--feeds N] [--subscriptions N] [--matching N]");
    Console.Error.WriteLine("  index-load [--corpus PATH] [--subscriptions N] [--seed S] [--snapshot-only]");
    Console.Error.WriteLine("  parse --corpus DIR|reuters.jsonl.gz [--passes N] [--feeds N]");
    Console.Error.WriteLine("  parse-worst [--bytes N]");
    Console.Error.WriteLine("  schedule [--n 1000,10000,100000]");
    Console.Error.WriteLine("  index-memory [--subscriptions N] [--corpus PATH] [--seed S]");
    Console.Error.WriteLine("  soak [--minutes 20] [--seed S]");
    Console.Error.WriteLine("  match --corpus PATH --subscriptions N [--articles M] [--seed S] [--peer-articles K] [--word-sampling band|df]");
    return 2;
}
