namespace Reeve.Workers.Tests.Journal;

/// <summary>The push workers' journal of held runs: what the next worker reads, and who may hold it.</summary>
public sealed class RunJournalTests
{
    private readonly string _folder = Directory.CreateTempSubdirectory("reeve-journal-").FullName;

    private string PathOf(string name) => Path.Combine(_folder, name);

    [Fact]
    public void WhatOneWorkerHeld_IsWhatTheNextReads_WithoutTheRunsThatEnded()
    {
        var (a, b, c) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        using (var first = RunJournal.Open(PathOf("pool.runs"), _ => { }, out _)!)
        {
            Assert.Empty(first.Previous);
            first.Add([a, b]);
            first.Add([c]);
            first.Remove([b]);
        }

        using var next = RunJournal.Open(PathOf("pool.runs"), _ => { }, out _)!;

        Assert.Equal(new HashSet<Guid> { a, c }, next.Previous.ToHashSet());
        Assert.Equal(2, File.ReadAllLines(PathOf("pool.runs")).Length);
    }

    [Fact]
    public void ASecondLiveHolder_GetsAJournalOfItsOwn_NotTheFirstOnes()
    {
        var held = Guid.NewGuid();
        using var first = RunJournal.Open(PathOf("pool.runs"), _ => { }, out _)!;
        first.Add([held]);

        using var second = RunJournal.Open(PathOf("pool.runs"), _ => { }, out var problem);

        Assert.NotNull(second);
        Assert.NotNull(problem);
        Assert.Empty(second.Previous);
        second.Add([Guid.NewGuid()]);
        Assert.True(File.Exists(PathOf("pool-2.runs")));
        Assert.Equal([held.ToString()], File.ReadAllLines(PathOf("pool.runs")));
    }

    [Fact]
    public void LinesThatAreNotIds_AreLeftOut()
    {
        var id = Guid.NewGuid();
        File.WriteAllText(PathOf("pool.runs"), $"garbage\n{id}\n\0\0\n{new string('x', 100_000)}\n");

        using var journal = RunJournal.Open(PathOf("pool.runs"), _ => { }, out _)!;

        Assert.Equal([id], journal.Previous);
    }

    [Fact]
    public void AfterItsWorkerStopped_ARunThatEnds_LeavesTheJournalAsTheWorkerLeftIt()
    {
        var id = Guid.NewGuid();
        var journal = RunJournal.Open(PathOf("pool.runs"), _ => { }, out _)!;
        journal.Add([id]);
        journal.Dispose();

        journal.Remove([id]);

        Assert.Equal([id.ToString()], File.ReadAllLines(PathOf("pool.runs")));
    }
}
