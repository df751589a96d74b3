using Reeve.Cli;

return await ReeveCli.RunAsync(args, CliContext.CreateDefault);
