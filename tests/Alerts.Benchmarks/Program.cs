Console.Error.WriteLine("usage: Alerts.Benchmarks match|poll [options]");
return 2;
