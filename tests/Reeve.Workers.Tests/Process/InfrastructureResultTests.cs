using Reeve.Workers.Infrastructure;

namespace Reeve.Workers.Tests.Process;

public class InfrastructureResultTests
{
    [Fact]
    public void AnExitCode_IsNamed() =>
        Assert.Equal("Flow run infrastructure exited with non-zero status code 3.", new InfrastructureResult(3).Describe());

    [Fact]
    public void ASignal_IsNamed() =>
        Assert.Equal("Flow run infrastructure was killed by signal 9 (SIGKILL) (exit code 137).", new InfrastructureResult(137, 9).Describe());
}
