namespace Reeve.Workers.Docker;

/// <summary>
/// A container image's name as Docker reads it: <c>[registry/]repository[:tag][@digest]</c>. The first part is a
/// registry when it has a dot or a port, or is <c>localhost</c> (<c>127.0.0.1:5000/flows/repo-info:1</c>);
/// otherwise the name is on the engine's default registry.
/// </summary>
public sealed record ImageName(string? Registry, string Repository, string? Tag, string? Digest)
{
    /// <summary>Reads <paramref name="name"/>; a clear <see cref="ArgumentException"/> when it is not an image name.</summary>
    public static ImageName Parse(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"'{name}' is not an image name (such as my-image:latest or 127.0.0.1:5000/flows/my-image:1).", nameof(name));
        }

        string? digest = null;
        var at = name.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = name[(at + 1)..];
            name = name[..at];
        }

        string? tag = null;
        var colon = name.LastIndexOf(':');
        if (colon > name.LastIndexOf('/'))
        {
            tag = name[(colon + 1)..];
            name = name[..colon];
        }

        string? registry = null;
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            var first = name[..slash];
            if (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost")
            {
                registry = first;
                name = name[(slash + 1)..];
            }
        }

        if (name.Length == 0 || (tag is not null && tag.Length == 0))
        {
            throw new ArgumentException($"'{name}' is not an image name (such as my-image:latest or 127.0.0.1:5000/flows/my-image:1).", nameof(name));
        }

        return new ImageName(registry, name, tag, digest);
    }

    /// <summary>The repository with its registry, without tag or digest: what a pull names.</summary>
    public string FullRepository => Registry is null ? Repository : $"{Registry}/{Repository}";

    /// <summary>The tag, <c>latest</c> when none is given.</summary>
    public string TagOrLatest => Tag ?? "latest";

    /// <summary>
    /// Under <paramref name="buildNamespace"/> (such as <c>registry.example.com/team</c>) when this name has no
    /// registry of its own; unchanged otherwise, or when no namespace is set.
    /// </summary>
    public ImageName InNamespace(string? buildNamespace) =>
        Registry is not null || string.IsNullOrWhiteSpace(buildNamespace)
            ? this
            : Parse($"{buildNamespace.TrimEnd('/')}/{Repository}:{TagOrLatest}");

    /// <inheritdoc />
    public override string ToString() => FullRepository + (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);
}
