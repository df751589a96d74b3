using System.Globalization;
using System.Text;
using Reeve.Core.Audit;

namespace Reeve.Client;

public sealed partial class ReeveClient
{
    /// <summary>Reads the audit log (<c>GET /api/audit</c>, admin only): who changed what, newest first.</summary>
    public async Task<IReadOnlyList<AuditEvent>> ListAuditAsync(AuditFilterRequest? filter = null, CancellationToken cancellationToken = default)
    {
        filter ??= new AuditFilterRequest();
        var query = new StringBuilder("audit?offset=").Append(filter.Offset.ToString(CultureInfo.InvariantCulture));
        if (filter.Limit is { } limit)
        {
            query.Append("&limit=").Append(limit.ToString(CultureInfo.InvariantCulture));
        }

        if (filter.Actor is { } actor)
        {
            query.Append("&actor=").Append(Uri.EscapeDataString(actor));
        }

        if (filter.Action is { } action)
        {
            query.Append("&action=").Append(Uri.EscapeDataString(action));
        }

        if (filter.Since is { } since)
        {
            query.Append("&since=").Append(Uri.EscapeDataString(since.ToString("O", CultureInfo.InvariantCulture)));
        }

        return await SendAsync<List<AuditEvent>>(HttpMethod.Get, query.ToString(), null, cancellationToken);
    }
}
