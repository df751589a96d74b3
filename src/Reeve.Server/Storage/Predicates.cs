using System.Linq.Expressions;
using Reeve.Core.Filters;

namespace Reeve.Server.Storage;

/// <summary>Builds one query predicate out of a filter's criteria, joined with AND or OR as the filter says.</summary>
internal sealed class Predicates<T>
{
    private readonly List<Expression<Func<T, bool>>> _conditions = [];

    public void Add(Expression<Func<T, bool>> condition) => _conditions.Add(condition);

    public IQueryable<T> ApplyTo(IQueryable<T> query, FilterOperator @operator)
    {
        if (_conditions.Count == 0)
        {
            return query;
        }

        if (@operator == FilterOperator.And)
        {
            return _conditions.Aggregate(query, (q, c) => q.Where(c));
        }

        var parameter = Expression.Parameter(typeof(T), "x");
        var body = _conditions
            .Select(c => new Rebind(c.Parameters[0], parameter).Visit(c.Body))
            .Aggregate(Expression.OrElse);
        return query.Where(Expression.Lambda<Func<T, bool>>(body, parameter));
    }

    private sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
