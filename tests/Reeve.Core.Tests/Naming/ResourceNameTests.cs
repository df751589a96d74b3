using Reeve.Core.Errors;
using Reeve.Core.Naming;

namespace Reeve.Core.Tests.Naming;

public class ResourceNameTests
{
    [Theory]
    [InlineData("my-pool")]
    [InlineData("My Pool 2")]
    [InlineData("pool_with.dots")]
    [InlineData("名前")]
    public void Validate_OrdinaryNames_Pass(string name) => ResourceName.Validate(name);

    [Theory]
    [InlineData("a/b", "'/'")]
    [InlineData("50%", "'%'")]
    [InlineData("a&b", "'&'")]
    [InlineData("<x>", "'<'")]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("''", "empty")]
    [InlineData("tab\there", "control")]
    public void Validate_BadNames_NameTheFieldAndTheReason(string name, string reason)
    {
        var error = Assert.Throws<ReeveValidationException>(() => ResourceName.Validate(name, "name"));
        Assert.Equal("name", error.Field);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TooLong_SaysTheLimit()
    {
        var error = Assert.Throws<ReeveValidationException>(() => ResourceName.Validate(new string('x', 10_000)));
        Assert.Contains("at most 255", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AtTheLimit_Passes() => ResourceName.Validate(new string('x', ResourceName.MaxLength));
}
