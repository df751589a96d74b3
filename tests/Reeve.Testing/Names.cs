namespace Reeve.Testing;

/// <summary>Unique names, so that tests sharing a server never see each other's resources.</summary>
public static class Names
{
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];
}
