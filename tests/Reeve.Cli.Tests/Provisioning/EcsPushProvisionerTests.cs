using Reeve.Cli.Provisioning;

namespace Reeve.Cli.Tests.Provisioning;

public sealed class EcsPushProvisionerTests
{
    [Fact]
    public void FreeCidr_IsTheFirstSlash16From172_31_ThatOverlapsNoVpc()
    {
        Assert.Equal("172.31.0.0/16", EcsPushProvisioner.FreeCidr([]));
        Assert.Equal("172.31.0.0/16", EcsPushProvisioner.FreeCidr(["10.0.0.0/16", "192.168.0.0/24"]));
        Assert.Equal("172.32.0.0/16", EcsPushProvisioner.FreeCidr(["172.31.0.0/16"]));
        Assert.Equal("172.34.0.0/16", EcsPushProvisioner.FreeCidr(["172.31.128.0/20", "172.32.0.0/15", "not a cidr"]));
        Assert.Null(EcsPushProvisioner.FreeCidr(["172.0.0.0/8"]));
    }
}
