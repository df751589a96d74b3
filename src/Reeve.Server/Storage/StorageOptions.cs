using Microsoft.Data.Sqlite;
using Npgsql;

namespace Reeve.Server.Storage;

/// <summary>Where the server keeps its state.</summary>
/// <param name="Provider">The database engine.</param>
/// <param name="ConnectionString">An ADO.NET connection string for that engine.</param>
public sealed record StorageOptions(StorageProvider Provider, string ConnectionString)
{
    /// <summary>The SQLite file <c>reeve.db</c> in the Reeve home folder.</summary>
    public static StorageOptions SqliteIn(string homeFolder) =>
        SqliteFile(Path.Combine(homeFolder, "reeve.db"));

    /// <summary>A SQLite database at <paramref name="path"/>.</summary>
    public static StorageOptions SqliteFile(string path) =>
        new(StorageProvider.Sqlite, new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString());

    /// <summary>
    /// Reads a database setting (<c>REEVE_DATABASE_URL</c> or <c>--database</c>): a PostgreSQL
    /// connection string, either in keyword form (<c>Host=...;Database=...</c>) or as a URL
    /// (<c>postgresql://user:password@host:5432/db</c>), or a SQLite one (<c>sqlite:///path/reeve.db</c>,
    /// <c>Data Source=path</c>). Empty means the SQLite file in the home folder.
    /// </summary>
    /// <exception cref="ArgumentException">The setting is not a connection string Reeve understands.</exception>
    public static StorageOptions Parse(string? databaseUrl, string homeFolder)
    {
        if (string.IsNullOrWhiteSpace(databaseUrl))
        {
            return SqliteIn(homeFolder);
        }

        var value = databaseUrl.Trim();
        if (value.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            // SQLAlchemy's convention, which Prefect users know: sqlite:///relative.db, sqlite:////absolute.db.
            var rest = value["sqlite:".Length..];
            rest = rest.StartsWith("//", StringComparison.Ordinal) ? rest[2..] : rest;
            var path = rest.StartsWith('/') ? rest[1..] : rest;
            return SqliteFile(path);
        }

        if (value.StartsWith("Data Source=", StringComparison.OrdinalIgnoreCase))
        {
            return new StorageOptions(StorageProvider.Sqlite, value);
        }

        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme.StartsWith("postgres", StringComparison.OrdinalIgnoreCase))
        {
            return new StorageOptions(StorageProvider.Postgres, FromPostgresUrl(uri));
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(value);
            if (!string.IsNullOrEmpty(builder.Host))
            {
                return new StorageOptions(StorageProvider.Postgres, builder.ConnectionString);
            }
        }
        catch (ArgumentException)
        {
            // Not a keyword connection string; the message below says what is accepted.
        }

        throw new ArgumentException(
            "The database setting is neither a PostgreSQL connection string (Host=...;Database=... or postgresql://...) nor a SQLite one (sqlite:///path or Data Source=path).",
            nameof(databaseUrl));
    }

    private static string FromPostgresUrl(Uri uri)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
        };
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
            {
                builder.Password = Uri.UnescapeDataString(parts[1]);
            }
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            builder[Uri.UnescapeDataString(kv[0])] = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "true";
        }

        return builder.ConnectionString;
    }

    /// <summary>A description safe to print: the engine and where, never the password.</summary>
    public string Describe() => Provider switch
    {
        StorageProvider.Sqlite => $"SQLite at {new SqliteConnectionStringBuilder(ConnectionString).DataSource}",
        _ => DescribePostgres(),
    };

    private string DescribePostgres()
    {
        var b = new NpgsqlConnectionStringBuilder(ConnectionString);
        return $"PostgreSQL at {b.Host}:{b.Port}/{b.Database}";
    }

    /// <summary>Where the key ring that encrypts credentials lives: the folder <c>keys</c> beside a SQLite file; null on PostgreSQL (the database).</summary>
    public string? KeysFolder()
    {
        if (Provider != StorageProvider.Sqlite)
        {
            return null;
        }

        var source = new SqliteConnectionStringBuilder(ConnectionString).DataSource;
        var folder = string.IsNullOrEmpty(source) || source == ":memory:" ? null : Path.GetDirectoryName(Path.GetFullPath(source));
        return folder is null ? null : Path.Combine(folder, "keys");
    }
}
