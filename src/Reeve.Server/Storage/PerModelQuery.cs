using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Reeve.Server.Storage;

/// <summary>
/// A query of a hot path, compiled with <c>EF.CompileAsyncQuery</c> once for each model it runs against (SQLite's
/// and PostgreSQL's models differ, and a compiled query serves only the model it was compiled for). Each call then
/// skips EF's query-cache lookup: the walk of the expression for its parameters and its cache key, which profiles
/// put at half of a small query's time.
/// </summary>
internal sealed class PerModelQuery<TQuery>(Func<TQuery> compile)
    where TQuery : class
{
    private readonly ConditionalWeakTable<IModel, TQuery> _compiled = [];

    /// <summary>The query compiled for <paramref name="db"/>'s model.</summary>
    public TQuery For(ReeveDbContext db) => _compiled.GetValue(db.Model, _ => compile());
}
