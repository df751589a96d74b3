namespace Reeve.Server.Storage;

/// <summary>The database engines Reeve stores its state in.</summary>
public enum StorageProvider
{
    /// <summary>An embedded SQLite file, the default for one machine.</summary>
    Sqlite,

    /// <summary>PostgreSQL, for several server replicas and large installations.</summary>
    Postgres,
}
