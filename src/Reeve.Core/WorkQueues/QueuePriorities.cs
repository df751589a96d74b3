namespace Reeve.Core.WorkQueues;

/// <summary>
/// Keeps the priorities of a pool's queues unique, as Prefect does: a new queue without a priority takes
/// the first free one; a queue given a priority takes exactly that one, and the queues it collides with
/// move down (to a higher number) only as far as needed. Gaps are kept.
/// </summary>
public static class QueuePriorities
{
    /// <summary>The lowest priority not yet taken: the first gap from 1, else one past the highest.</summary>
    public static int NextFree(IEnumerable<int> taken)
    {
        var expected = 1;
        foreach (var priority in taken.Order())
        {
            if (priority > expected)
            {
                return expected;
            }

            expected = Math.Max(expected, priority + 1);
        }

        return expected;
    }

    /// <summary>
    /// Gives <paramref name="moved"/> the priority <paramref name="target"/> and returns the queues whose
    /// priority must change (the moved one included) with their new priority.
    /// </summary>
    /// <param name="queues">Every queue of the pool with its current priority (the moved one may be among them).</param>
    /// <param name="moved">The queue being created or changed.</param>
    /// <param name="target">Its new priority, 1 or more.</param>
    public static IReadOnlyDictionary<Guid, int> Place(IEnumerable<(Guid Id, int Priority)> queues, Guid moved, int target)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(target, 1);
        var others = queues.Where(q => q.Id != moved).OrderBy(q => q.Priority).ToList();
        var insertAt = others.FindIndex(q => q.Priority >= target);
        others.Insert(insertAt < 0 ? others.Count : insertAt, (moved, target));

        var changes = new Dictionary<Guid, int> { [moved] = target };
        var last = 0;
        foreach (var (id, priority) in others)
        {
            var next = priority <= last ? last + 1 : priority;
            if (next != priority)
            {
                changes[id] = next;
            }

            last = next;
        }

        return changes;
    }
}
