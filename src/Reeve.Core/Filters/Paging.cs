using Reeve.Core.Errors;

namespace Reeve.Core.Filters;

/// <summary>The <c>limit</c> and <c>offset</c> rules of every <c>/filter</c> endpoint.</summary>
public static class Paging
{
    /// <summary>The default and the largest page, as Prefect's <c>PREFECT_API_DEFAULT_LIMIT</c>.</summary>
    public const int MaxLimit = 200;

    /// <summary>Checks a requested page and returns the limit to use.</summary>
    public static int Resolve(int? limit, int offset)
    {
        if (limit is < 0)
        {
            throw new ReeveValidationException("limit", "Invalid limit: must be greater than or equal to 0.");
        }

        if (limit is > MaxLimit)
        {
            throw new ReeveValidationException("limit", $"Invalid limit: must be less than or equal to {MaxLimit}.");
        }

        if (offset < 0)
        {
            throw new ReeveValidationException("offset", "must be greater than or equal to 0");
        }

        return limit ?? MaxLimit;
    }
}
