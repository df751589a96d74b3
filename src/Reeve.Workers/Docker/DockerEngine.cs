using Docker.DotNet;
using Docker.DotNet.Models;

namespace Reeve.Workers.Docker;

/// <summary>The Docker engine Reeve talks to: <c>DOCKER_HOST</c> when set, else the local engine's Unix socket.</summary>
public static class DockerEngine
{
    /// <summary>A client of the engine at <paramref name="host"/> (such as <c>unix:///var/run/docker.sock</c>), or of <c>DOCKER_HOST</c>'s when null.</summary>
    public static DockerClient Connect(string? host = null)
    {
        var builder = new DockerClientBuilder();
        host ??= Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
        return (host is null ? builder : builder.WithEndpoint(new Uri(host))).Build();
    }

    /// <summary>The credentials Docker sends a registry, from a job's <c>registry_credentials</c>; null when there are none.</summary>
    public static AuthConfig? Credentials(string? username, string? password, string? registry) =>
        username is null ? null : new AuthConfig { Username = username, Password = password, ServerAddress = registry };

    /// <summary>Pulls <paramref name="image"/>, writing one line per layer step to <paramref name="output"/> (none when null).</summary>
    public static async Task PullAsync(IDockerClient docker, ImageName image, AuthConfig? credentials, TextWriter? output, CancellationToken cancellationToken)
    {
        var progress = new JsonProgress(output);
        await docker.Images.CreateImageAsync(
            new ImagesCreateParameters { FromImage = image.FullRepository, Tag = image.Digest is null ? image.TagOrLatest : null },
            credentials ?? new AuthConfig(), progress, cancellationToken);
        progress.ThrowIfFailed($"Pulling {image} failed");
    }

    /// <summary>
    /// Pushes <paramref name="image"/> to its registry with the login <c>docker login</c> keeps for it
    /// (<see cref="RegistryLogins"/>), writing one line per layer step to <paramref name="output"/>.
    /// </summary>
    public static async Task PushAsync(IDockerClient docker, ImageName image, TextWriter? output, CancellationToken cancellationToken, string? dockerConfig = null)
    {
        var progress = new JsonProgress(output);
        await docker.Images.PushImageAsync(image.FullRepository, new ImagePushParameters { Tag = image.TagOrLatest },
            RegistryLogins.For(image.Registry, dockerConfig) ?? new AuthConfig(), progress, cancellationToken);
        progress.ThrowIfFailed($"Pushing image {image} failed");
    }

    /// <summary>Whether the engine holds <paramref name="image"/>.</summary>
    public static async Task<bool> HasImageAsync(IDockerClient docker, string image, CancellationToken cancellationToken)
    {
        try
        {
            await docker.Images.InspectImageAsync(image, cancellationToken);
            return true;
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
    }
}
