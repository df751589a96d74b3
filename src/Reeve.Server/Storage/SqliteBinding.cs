using System.Buffers;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Reeve.Server.Storage;

/// <summary>
/// Binds a bulk insert's values to SQLite by position, straight through SQLitePCL: no parameter objects, no lookup
/// of each parameter by name on every row, no string made for an id or a time. Each value is written exactly as
/// Microsoft.Data.Sqlite writes it (ids as upper-case text, times as <c>yyyy-MM-dd HH:mm:ss.FFFFFFF</c>, numbers and
/// flags as integers, text as UTF-8, cut to the parameter's size); <see cref="For"/> declines a table with a column
/// of any other kind, which then goes through a command as before. BulkInsertTests compares the rows column by column.
/// </summary>
internal sealed class SqliteBinding
{
    private const string TimeFormat = @"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF";

    private readonly Kind[] _kinds;
    private readonly int?[] _sizes;

    private SqliteBinding(Kind[] kinds, int?[] sizes)
    {
        _kinds = kinds;
        _sizes = sizes;
    }

    private enum Kind
    {
        Text,
        Integer,
        Real,
        Blob,
        Guid,
        Time,
    }

    /// <summary>The binding of a table's columns, or null when one is of a kind this does not write.</summary>
    public static SqliteBinding? For(IReadOnlyList<BulkInsert.Column> columns)
    {
        var kinds = new Kind[columns.Count];
        var sizes = new int?[columns.Count];
        using var command = new SqliteCommand();
        for (var i = 0; i < columns.Count; i++)
        {
            var mapping = columns[i].Mapping;
            // The parameter EF would make: its declared SQLite type and size decide how Microsoft.Data.Sqlite writes.
            var parameter = (SqliteParameter)mapping.CreateParameter(command, "@p", null, columns[i].Property.IsNullable);
            var type = mapping.Converter?.ProviderClrType ?? mapping.ClrType;
            type = Nullable.GetUnderlyingType(type) ?? type;
            type = type.IsEnum ? Enum.GetUnderlyingType(type) : type;
            Kind? kind = type == typeof(string) ? Kind.Text
                : type == typeof(bool) || type == typeof(byte) || type == typeof(short) || type == typeof(int) || type == typeof(long) ? Kind.Integer
                : type == typeof(double) || type == typeof(float) ? Kind.Real
                : type == typeof(byte[]) && parameter.Size <= 0 ? Kind.Blob
                : type == typeof(Guid) && parameter.SqliteType != SqliteType.Blob ? Kind.Guid
                : type == typeof(DateTime) && parameter.SqliteType != SqliteType.Real ? Kind.Time
                : null;
            if (kind is null)
            {
                return null;
            }

            kinds[i] = kind.Value;
            sizes[i] = parameter.Size > 0 ? parameter.Size : null;
        }

        return new SqliteBinding(kinds, sizes);
    }

    /// <summary>
    /// Runs <paramref name="sql"/> once for each row, prepared once for the call, on the connection's current
    /// transaction, with the row's <paramref name="columns"/> (those this binding was made for) bound in order.
    /// </summary>
    /// <returns>How many rows the statements changed in all.</returns>
    public long RunEach<T>(sqlite3 db, string sql, IReadOnlyList<BulkInsert.Column> columns, IReadOnlyList<T> rows)
        where T : class
    {
        Check(raw.sqlite3_prepare_v2(db, sql, out var statement), db);
        var changed = 0L;
        var buffer = ArrayPool<byte>.Shared.Rent(1024);
        try
        {
            using (statement)
            {
                Span<char> chars = stackalloc char[40];
                foreach (var row in rows)
                {
                    for (var i = 0; i < _kinds.Length; i++)
                    {
                        var index = i + 1;
                        var value = columns[i].ProviderValue(row);
                        Check(value is null ? raw.sqlite3_bind_null(statement, index) : Bind(statement, index, i, value, chars, ref buffer), db);
                    }

                    var done = raw.sqlite3_step(statement);
                    raw.sqlite3_reset(statement);
                    if (done != raw.SQLITE_DONE)
                    {
                        Check(done, db);
                    }

                    changed += raw.sqlite3_changes(db);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return changed;
    }

    private int Bind(sqlite3_stmt statement, int index, int column, object value, Span<char> chars, ref byte[] buffer)
    {
        switch (_kinds[column])
        {
            case Kind.Text:
                var text = (string)value;
                if (_sizes[column] is { } size && text.Length > size)
                {
                    text = text[..size];
                }

                var length = Encoding.UTF8.GetMaxByteCount(text.Length);
                if (length > buffer.Length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(length);
                }

                var written = Encoding.UTF8.GetBytes(text, buffer);
                return raw.sqlite3_bind_text(statement, index, buffer.AsSpan(0, written));
            case Kind.Integer:
                return raw.sqlite3_bind_int64(statement, index, value switch
                {
                    bool flag => flag ? 1L : 0L,
                    _ => Convert.ToInt64(value, CultureInfo.InvariantCulture),
                });
            case Kind.Real:
                var real = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                return double.IsNaN(real)
                    ? throw new InvalidOperationException("Cannot store 'NaN' values.")
                    : raw.sqlite3_bind_double(statement, index, real);
            case Kind.Blob:
                return raw.sqlite3_bind_blob(statement, index, (byte[])value);
            case Kind.Guid:
                ((Guid)value).TryFormat(chars, out var guidLength);
                return BindAscii(statement, index, chars[..guidLength], upper: true);
            default:
                ((DateTime)value).TryFormat(chars, out var timeLength, TimeFormat, CultureInfo.InvariantCulture);
                return BindAscii(statement, index, chars[..timeLength], upper: false);
        }
    }

    /// <summary>Binds text known to be ASCII (an id, a time) without encoding it through a buffer.</summary>
    private static int BindAscii(sqlite3_stmt statement, int index, ReadOnlySpan<char> text, bool upper)
    {
        Span<byte> bytes = stackalloc byte[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            bytes[i] = (byte)(upper ? char.ToUpperInvariant(text[i]) : text[i]);
        }

        return raw.sqlite3_bind_text(statement, index, bytes);
    }

    private static void Check(int rc, sqlite3 db)
    {
        if (rc is not raw.SQLITE_OK and not raw.SQLITE_DONE and not raw.SQLITE_ROW)
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }
}
