using Reeve.Core.WorkQueues;

namespace Reeve.Core.Tests.WorkQueues;

public class QueuePrioritiesTests
{
    [Theory]
    [InlineData(new int[0], 1)]
    [InlineData(new[] { 1 }, 2)]
    [InlineData(new[] { 1, 2, 3 }, 4)]
    [InlineData(new[] { 1, 99 }, 2)]
    [InlineData(new[] { 2, 3 }, 1)]
    [InlineData(new[] { 3, 1, 2, 5 }, 4)]
    public void NextFree_TakesTheFirstGapElseOnePastTheHighest(int[] taken, int expected) =>
        Assert.Equal(expected, QueuePriorities.NextFree(taken));

    [Fact]
    public void Place_NoCollision_ChangesOnlyTheMovedQueue()
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        var moved = Guid.NewGuid();

        var changes = QueuePriorities.Place([(a, 1), (b, 2)], moved, 5);

        Assert.Equal(new Dictionary<Guid, int> { [moved] = 5 }, changes);
    }

    [Fact]
    public void Place_Collision_ShiftsLaterQueuesOnlyAsFarAsNeeded()
    {
        var q1 = Guid.NewGuid();
        var q2 = Guid.NewGuid();
        var q3 = Guid.NewGuid();
        var q10 = Guid.NewGuid();
        var moved = Guid.NewGuid();

        var changes = QueuePriorities.Place([(q1, 1), (q2, 2), (q3, 3), (q10, 10)], moved, 2);

        Assert.Equal(new Dictionary<Guid, int> { [moved] = 2, [q2] = 3, [q3] = 4 }, changes);
    }

    [Fact]
    public void Place_MovingAnExistingQueueUp_ReordersAroundIt()
    {
        var q1 = Guid.NewGuid();
        var q2 = Guid.NewGuid();
        var q3 = Guid.NewGuid();

        var changes = QueuePriorities.Place([(q1, 1), (q2, 2), (q3, 3)], q3, 1);

        Assert.Equal(new Dictionary<Guid, int> { [q3] = 1, [q1] = 2, [q2] = 3 }, changes);
    }

    [Fact]
    public void Place_ResultIsAlwaysUnique()
    {
        var random = new Random(42);
        for (var round = 0; round < 500; round++)
        {
            var queues = Enumerable.Range(0, random.Next(1, 12))
                .Select(_ => (Id: Guid.NewGuid(), Priority: 0))
                .ToList();
            var taken = new HashSet<int>();
            for (var i = 0; i < queues.Count; i++)
            {
                int p;
                do
                {
                    p = random.Next(1, 20);
                }
                while (!taken.Add(p));
                queues[i] = (queues[i].Id, p);
            }

            var moved = random.Next(2) == 0 ? queues[random.Next(queues.Count)].Id : Guid.NewGuid();
            var target = random.Next(1, 25);
            var changes = QueuePriorities.Place(queues, moved, target);

            var final = queues.Where(q => q.Id != moved).Select(q => changes.TryGetValue(q.Id, out var n) ? n : q.Priority).Append(changes[moved]).ToList();
            Assert.Equal(final.Count, final.Distinct().Count());
            Assert.Equal(target, changes[moved]);
        }
    }

    [Fact]
    public void Place_PriorityBelowOne_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => QueuePriorities.Place([], Guid.NewGuid(), 0));
}
