using VrsMsrc.Benchmarks;

return await BenchmarkRun.MainAsync(args);
