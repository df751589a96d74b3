using Reeve.Workers.Docker;

namespace Reeve.Workers.Tests.Docker;

public sealed class ImageNameTests
{
    [Theory]
    [InlineData("my-image", null, "my-image", null)]
    [InlineData("my-image:latest", null, "my-image", "latest")]
    [InlineData("flows/my-image:1.2", null, "flows/my-image", "1.2")]
    [InlineData("127.0.0.1:5000/flows/my-image:1", "127.0.0.1:5000", "flows/my-image", "1")]
    [InlineData("localhost/my-image", "localhost", "my-image", null)]
    [InlineData("registry.example.com/team/my-image", "registry.example.com", "team/my-image", null)]
    [InlineData("localhost:5000/my-image", "localhost:5000", "my-image", null)]
    public void Parse_SplitsRegistryRepositoryAndTag(string text, string? registry, string repository, string? tag)
    {
        var name = ImageName.Parse(text);

        Assert.Equal(registry, name.Registry);
        Assert.Equal(repository, name.Repository);
        Assert.Equal(tag, name.Tag);
        Assert.Equal(text, name.ToString());
    }

    [Fact]
    public void Parse_ADigest_IsKeptApartFromTheTag()
    {
        var name = ImageName.Parse("127.0.0.1:5000/my-image@sha256:abc");

        Assert.Equal("127.0.0.1:5000/my-image", name.FullRepository);
        Assert.Null(name.Tag);
        Assert.Equal("sha256:abc", name.Digest);
    }

    [Theory]
    [InlineData("")]
    [InlineData("my image")]
    [InlineData("my-image:")]
    public void Parse_NotAnImageName_ThrowsSayingSo(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => ImageName.Parse(text));

        Assert.Contains("is not an image name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InNamespace_AnUnqualifiedName_GoesUnderTheNamespace_WithItsTag()
    {
        Assert.Equal("127.0.0.1:5000/team/my-image:latest", ImageName.Parse("my-image").InNamespace("127.0.0.1:5000/team/").ToString());
        Assert.Equal("127.0.0.1:5000/team/my-image:2", ImageName.Parse("my-image:2").InNamespace("127.0.0.1:5000/team").ToString());
    }

    [Fact]
    public void InNamespace_ANameWithARegistry_OrNoNamespace_IsUnchanged()
    {
        Assert.Equal("other.example.com/my-image:1", ImageName.Parse("other.example.com/my-image:1").InNamespace("127.0.0.1:5000/team").ToString());
        Assert.Equal("my-image:1", ImageName.Parse("my-image:1").InNamespace(null).ToString());
    }
}
