namespace Reeve.Deployments;

/// <summary>
/// The container image a deployment's runs use on a <c>docker</c> pool. Built at deploy time from the flow's
/// project (the flow published with the Reeve engine as the image's command, on <see cref="BaseImage"/>, or with
/// a <see cref="Dockerfile"/> of your own) and pushed when its name holds a registry. A plain string, such as
/// <c>Image = "my-image:latest"</c>, names an image built beforehand: nothing is built or pushed.
/// </summary>
/// <param name="Name">The image's name, optionally with a registry and a tag (<c>127.0.0.1:5000/flows/repo-info:1</c>).</param>
public sealed record DeploymentImage(string Name)
{
    /// <summary>A build of <paramref name="name"/> for <paramref name="platform"/> (such as <c>linux/amd64</c>), from <paramref name="dockerfile"/> when given.</summary>
    public DeploymentImage(string name, string? tag = null, string? platform = null, string? dockerfile = null)
        : this(name)
    {
        Tag = tag;
        Platform = platform;
        Dockerfile = dockerfile;
    }

    /// <summary>The tag when <see cref="Name"/> has none; when neither gives one, a build is tagged with its UTC time (as Prefect does).</summary>
    public string? Tag { get; init; }

    /// <summary>The platform to build for, such as <c>linux/amd64</c> or <c>linux/arm64</c>; the Docker engine's when null.</summary>
    public string? Platform { get; init; }

    /// <summary>
    /// A Dockerfile of your own, instead of the one Reeve writes. Its build context holds <c>app/</c>: the flow
    /// published with the engine, whose program is <c>app/reeve-engine</c> (so <c>COPY app/ /app/</c> and
    /// <c>CMD ["/app/reeve-engine"]</c>, with <c>/app</c> as the working folder; a job's <c>command</c> replaces the CMD).
    /// </summary>
    public string? Dockerfile { get; init; }

    /// <summary>Whether to build the image at deploy time; false for an image given as a plain string.</summary>
    public bool Build { get; init; } = true;

    /// <summary>Whether to push the built image; when null, it is pushed when its name holds a registry.</summary>
    public bool? Push { get; init; }

    /// <summary>The flow's project file (<c>.csproj</c>); found beside the flow's assembly (or in the current folder) when null.</summary>
    public string? Project { get; init; }

    /// <summary>
    /// The image the generated Dockerfile starts from: one with what a self-contained .NET application needs. When
    /// null, the <c>REEVE_DEFAULT_DOCKER_BASE_IMAGE</c> setting, else <see cref="DefaultBaseImage"/>.
    /// </summary>
    public string? BaseImage { get; init; }

    /// <summary>The base image when nothing else is set.</summary>
    public const string DefaultBaseImage = "mcr.microsoft.com/dotnet/runtime-deps:10.0";

    /// <summary>An image built beforehand, named by <paramref name="name"/>: nothing is built or pushed.</summary>
    public static implicit operator DeploymentImage(string name) => new(name) { Build = false };
}
