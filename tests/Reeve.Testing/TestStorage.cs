namespace Reeve.Testing;

/// <summary>The storage engines a suite runs against.</summary>
public enum TestStorage
{
    Sqlite,
    Postgres,
}
