using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Reeve.Bench.Micro [-- --filter '*']
BenchmarkSwitcher.FromAssembly(typeof(Reeve.Bench.Micro.CoreBenchmarks).Assembly).Run(args.Length == 0 ? ["--filter", "*"] : args);
