using Reeve.Core.Naming;

namespace Reeve.Core.Tests.Naming;

public class RunNamesTests
{
    [Fact]
    public void Next_IsAnAdjectiveAndAnAnimal_ThatPassesTheNameRules()
    {
        for (var i = 0; i < 200; i++)
        {
            var name = RunNames.Next();
            Assert.Matches("^[a-z]+-[a-z]+$", name);
            ResourceName.Validate(name);
        }
    }

    [Fact]
    public void Count_IsLargeEnoughForMemorableButVariedNames() => Assert.True(RunNames.Count > 15_000);
}
