using Reeve.Deployments;
using Reeve.Flows;
using Reeve.Serving;
using RepoInfo;

var getRepoInfo = Flow.Define(RepoInfoFlows.GetRepoInfo);

try
{
    switch (args)
    {
        case ["serve", ..]:
            // Creates the deployment get-repo-info/my-first-deployment and runs its runs here until Ctrl+C.
            await getRepoInfo.ServeAsync(args.Length > 1 ? args[1] : "my-first-deployment");
            break;
        case ["deploy", var source, var pool, ..]:
            // Deploys the flow from a git repository (or folder) holding this project to a work pool:
            //   dotnet run -- deploy https://github.com/you/repo-info.git my-pool
            //   dotnet run -- deploy file:///home/you/repo-info my-pool
            //   dotnet run -- deploy /home/you/repo-info my-pool
            await getRepoInfo
                .FromSource(source, "RepoInfo.csproj:RepoInfo.RepoInfoFlows.GetRepoInfo")
                .DeployAsync("my-first-deployment", pool);
            break;
        case ["deploy-image", var pool, var image, ..]:
            // Builds an image holding this flow (published, with the Reeve engine as entrypoint), pushes it when its
            // name holds a registry, and deploys the flow to a docker pool whose runs each get a container of it:
            //   dotnet run -- deploy-image my-docker-pool my-registry.example.com/my-image:latest
            await getRepoInfo.DeployAsync("my-docker-deployment", pool, new DeployOptions
            {
                Image = new DeploymentImage(image, platform: "linux/amd64"),
            });
            break;
        case ["github-stand-in", ..]:
            // A stand-in for the GitHub API on this machine, for a tutorial without internet access:
            //   dotnet run -- github-stand-in 4300, then export GITHUB_API_URL=http://127.0.0.1:4300
            await GitHubStandIn.ServeAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 4300);
            break;
        case []:
            await getRepoInfo.RunAsync();
            break;
        default:
            await getRepoInfo.RunAsync(args[0]);
            break;
    }

    return 0;
}
catch (Exception e) when (e is FlowRunFailedException or DeploymentException)
{
    // One line: a failed run's logs on the server hold its stack trace; a deployment's refusal says what to fix.
    Console.Error.WriteLine(e.Message);
    return 1;
}
