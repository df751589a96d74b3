// The SDK's server setting is process-wide (as it is for a user's program): the test classes take turns.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
