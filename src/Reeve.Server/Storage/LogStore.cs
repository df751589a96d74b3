using Microsoft.EntityFrameworkCore;
using Reeve.Core.Errors;
using Reeve.Core.Filters;
using Reeve.Core.Ids;
using Reeve.Core.Logs;
using Reeve.Server.Storage.Entities;

namespace Reeve.Server.Storage;

/// <summary>Stores and reads log lines.</summary>
internal sealed class LogStore(Store store, CredentialsStore credentials, TimeProvider clock)
{
    /// <summary>The most lines one request may carry.</summary>
    public const int MaxBatch = 10_000;

    /// <summary>Stores a batch of lines, all or none.</summary>
    public async Task CreateAsync(IReadOnlyList<LogCreate> logs, CancellationToken cancellationToken)
    {
        if (logs.Count > MaxBatch)
        {
            throw new PayloadTooLargeException($"A request may carry at most {MaxBatch} log lines (got {logs.Count}); send them in several batches.");
        }

        var now = StorageTime.Now(clock);
        var rows = new List<LogRecord>(logs.Count);
        for (var i = 0; i < logs.Count; i++)
        {
            var log = logs[i];
            if (log.Name.Length > Core.Naming.ResourceName.MaxLength)
            {
                throw new ReeveValidationException($"[{i}].name", $"must be at most {Core.Naming.ResourceName.MaxLength} characters long");
            }

            rows.Add(new LogRecord
            {
                Id = SequentialGuid.Next(now),
                Created = now,
                Name = log.Name,
                Level = log.Level,
                Message = log.Message,
                Timestamp = StorageTime.ToStorage(log.Timestamp),
                FlowRunId = log.FlowRunId,
                TaskRunId = log.TaskRunId,
            });
        }

        await MaskSecretsAsync(rows, cancellationToken);
        await store.WriteGroupedAsync((db, ct) => BulkInsert.InsertAsync(db, rows, ct), cancellationToken);
    }

    /// <summary>Replaces, in each line of a run, the secret values of the credentials the run was given by the mask.</summary>
    private async Task MaskSecretsAsync(List<LogRecord> rows, CancellationToken cancellationToken)
    {
        var runIds = rows.Where(r => r.FlowRunId is not null).Select(r => r.FlowRunId!.Value).Distinct().ToList();
        if (runIds.Count == 0 || await credentials.SecretValuesOfRunsAsync(runIds, cancellationToken) is not { Count: > 0 } secrets)
        {
            return;
        }

        foreach (var row in rows)
        {
            if (row.FlowRunId is { } run && secrets.TryGetValue(run, out var values))
            {
                foreach (var value in values)
                {
                    row.Message = row.Message.Replace(value, Core.Credentials.CredentialsData.Masked, StringComparison.Ordinal);
                }
            }
        }
    }

    /// <summary>The matching log lines, read and written a few at a time (<see cref="ResponseChunks"/>): a line may be a megabyte.</summary>
    public async Task<IAsyncEnumerable<Log>> FilterAsync(LogFilterRequest request, CancellationToken cancellationToken)
    {
        var limit = Paging.Resolve(request.Limit, request.Offset);
        IQueryable<LogRecord> logs = store.Db.Logs;
        if (request.Logs is { } filter)
        {
            if (filter.Level?.AtLeast is { } min)
            {
                logs = logs.Where(l => l.Level >= min);
            }

            if (filter.Level?.AtMost is { } max)
            {
                logs = logs.Where(l => l.Level <= max);
            }

            if (filter.Timestamp?.Before is { } before)
            {
                var b = StorageTime.ToStorage(before);
                logs = logs.Where(l => l.Timestamp <= b);
            }

            if (filter.Timestamp?.After is { } after)
            {
                var a = StorageTime.ToStorage(after);
                logs = logs.Where(l => l.Timestamp >= a);
            }

            if (filter.FlowRunId?.Any is { } runs)
            {
                logs = logs.Where(l => l.FlowRunId != null && runs.Contains(l.FlowRunId.Value));
            }

            if (filter.TaskRunId?.Any is { } tasks)
            {
                logs = logs.Where(l => l.TaskRunId != null && tasks.Contains(l.TaskRunId.Value));
            }

            if (filter.TaskRunId?.IsNull is { } noTask)
            {
                logs = noTask ? logs.Where(l => l.TaskRunId == null) : logs.Where(l => l.TaskRunId != null);
            }

            if (filter.Text?.Query is { Length: > 0 } text)
            {
                if (text.Length > 200)
                {
                    throw new ReeveValidationException("logs.text.query", "must be at most 200 characters long");
                }

                var lowered = text.ToLowerInvariant();
#pragma warning disable CA1862 // EF translates ToLower().Contains to SQL; the comparison overload is not translatable.
                logs = logs.Where(l => l.Message.ToLower().Contains(lowered) || l.Name.ToLower().Contains(lowered));
#pragma warning restore CA1862
            }
        }

        logs = (request.Sort ?? "TIMESTAMP_ASC") switch
        {
            "TIMESTAMP_ASC" => logs.OrderBy(l => l.Timestamp).ThenBy(l => l.Id),
            "TIMESTAMP_DESC" => logs.OrderByDescending(l => l.Timestamp).ThenByDescending(l => l.Id),
            var other => throw new ReeveValidationException("sort", $"'{other}' is not a log sort; use TIMESTAMP_ASC or TIMESTAMP_DESC"),
        };
        var ids = await logs.Skip(request.Offset).Take(limit).Select(l => l.Id).ToListAsync(cancellationToken);
        return ResponseChunks.StreamAsync(ids, async (chunk, ct) =>
            (await store.Db.Logs.Where(l => chunk.Contains(l.Id)).ToListAsync(ct)).ToDictionary(l => l.Id, ToWire), cancellationToken);
    }

    private static Log ToWire(LogRecord l) => new()
    {
        Id = l.Id,
        Created = StorageTime.ToWire(l.Created),
        Updated = StorageTime.ToWire(l.Created),
        Name = l.Name,
        Level = l.Level,
        Message = l.Message,
        Timestamp = StorageTime.ToWire(l.Timestamp),
        FlowRunId = l.FlowRunId,
        TaskRunId = l.TaskRunId,
    };
}
