namespace Reeve.Core.Naming;

/// <summary>
/// Memorable flow run names, an adjective and an animal (<c>brisk-otter</c>), for runs created without a name.
/// </summary>
public static class RunNames
{
    private static readonly string[] Adjectives =
    [
        "able", "agile", "amber", "ample", "arctic", "ardent", "astral", "atomic", "autumn", "azure",
        "bold", "brave", "breezy", "bright", "brisk", "bronze", "busy", "calm", "candid", "careful",
        "cheerful", "clever", "cobalt", "cosmic", "crimson", "crisp", "curious", "daring", "dapper", "dazzling",
        "deft", "devout", "dusky", "eager", "earnest", "electric", "elegant", "emerald", "epic", "even",
        "fair", "fancy", "fearless", "festive", "fiery", "fluent", "flying", "fond", "frank", "free",
        "fresh", "frosty", "gallant", "gentle", "gilded", "glad", "glowing", "golden", "graceful", "grand",
        "hardy", "hearty", "helpful", "honest", "humble", "icy", "idle", "indigo", "ivory", "jade",
        "jolly", "jovial", "keen", "kind", "lively", "lucid", "lucky", "lunar", "magenta", "mellow",
        "merry", "mighty", "misty", "modest", "nimble", "noble", "olive", "opal", "patient", "peppy",
        "placid", "plucky", "polar", "proud", "quick", "quiet", "radiant", "rapid", "ready", "regal",
        "robust", "rosy", "ruby", "rustic", "sage", "scarlet", "serene", "sharp", "shiny", "silent",
        "silver", "sincere", "sleek", "smart", "snowy", "solar", "spry", "steady", "stellar", "sturdy",
        "sunny", "swift", "tidy", "tranquil", "trusty", "upbeat", "valiant", "velvet", "vivid", "warm",
        "wise", "witty", "zealous", "zesty",
    ];

    private static readonly string[] Animals =
    [
        "aardvark", "albatross", "alpaca", "antelope", "armadillo", "badger", "barracuda", "bat", "beaver", "bison",
        "bobcat", "buffalo", "camel", "capybara", "caracal", "cheetah", "chinchilla", "cobra", "condor", "coyote",
        "crane", "cricket", "crow", "dingo", "dolphin", "donkey", "dove", "dragonfly", "eagle", "eel",
        "egret", "elephant", "elk", "emu", "falcon", "ferret", "finch", "flamingo", "fox", "gazelle",
        "gecko", "gibbon", "giraffe", "gnu", "goose", "gorilla", "grouse", "hare", "hawk", "hedgehog",
        "heron", "hippo", "hornet", "hummingbird", "hyena", "ibex", "ibis", "iguana", "impala", "jackal",
        "jaguar", "jay", "kangaroo", "kestrel", "kingfisher", "kiwi", "koala", "lemur", "leopard", "lion",
        "llama", "lobster", "lynx", "macaw", "magpie", "manatee", "marmot", "marten", "meerkat", "mink",
        "mole", "mongoose", "moose", "narwhal", "newt", "ocelot", "octopus", "okapi", "orca", "oriole",
        "osprey", "otter", "owl", "panda", "panther", "parrot", "pelican", "penguin", "pheasant", "puffin",
        "puma", "quail", "quokka", "rabbit", "raccoon", "raven", "reindeer", "robin", "salamander", "seal",
        "shrew", "skunk", "sloth", "sparrow", "squirrel", "starling", "stork", "swan", "tapir", "tiger",
        "toucan", "turtle", "viper", "vulture", "walrus", "weasel", "whale", "wolf", "wombat", "wren",
        "yak", "zebra",
    ];

    /// <summary>The number of distinct names.</summary>
    public static int Count => Adjectives.Length * Animals.Length;

    /// <summary>A new name, drawn with <paramref name="random"/> (shared and thread-safe by default).</summary>
    public static string Next(Random? random = null)
    {
        random ??= Random.Shared;
        return $"{Adjectives[random.Next(Adjectives.Length)]}-{Animals[random.Next(Animals.Length)]}";
    }
}
