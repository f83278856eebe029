using System.Text;
using Mlops.Testing.Data;
using Mlops.Testing.Drift;

namespace Mlops.Testing.Tests.Drift;

/// <summary>The string counter against a dictionary: the same values, counts and first-seen order.</summary>
public sealed class StringCounterTests
{
    private static readonly string[] Edge =
    [
        "", "a", "A", "ab", "abc", "abcd", "abcde", "abcdefg", "abcdefgh", "abcdefghi", "a\0", "\0", " a", "a ",
        "é", "e\u0301", "日本語", "😀", "😀😀", "\uD83D", "ÿ", "Ā", "user1@example.org", "user10@example.org", new string('x', 200),
    ];

    private static (List<string> Order, Dictionary<string, long> Counts) Reference(IEnumerable<string?> values)
    {
        var order = new List<string>();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var v in values.OfType<string>())
        {
            if (!counts.TryGetValue(v, out var c))
            {
                order.Add(v);
            }

            counts[v] = c + 1;
        }

        return (order, counts);
    }

    private static string RandomString(Random random)
    {
        var length = random.Next(0, 24);
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(random.Next(10) switch { 0 => (char)random.Next(0x80, 0x3000), 1 => (char)random.Next(0, 0x20), _ => (char)random.Next('a', 'e') });
        }

        return builder.ToString();
    }

    public static TheoryData<int, int> Sizes => new() { { 0, 1 }, { 1, 1 }, { 511, 3 }, { 513, 1000 }, { 5000, 40 }, { 20_000, 100_000 }, { 100_000, 7 } };

    private static string?[] Values(int count, int distinct, int seed)
    {
        var random = new Random(seed);
        var pool = Edge.Concat(Enumerable.Range(0, distinct).Select(_ => RandomString(random))).ToArray();
        return [.. Enumerable.Range(0, count).Select(_ => random.Next(20) == 0 ? null : pool[random.Next(Math.Min(pool.Length, distinct + Edge.Length))])];
    }

    private static void AssertEqual((List<string> Order, Dictionary<string, long> Counts) expected, StringCounter counter)
    {
        Assert.Equal(expected.Order.Count, counter.Count);
        for (var i = 0; i < counter.Count; i++)
        {
            Assert.Equal(expected.Order[i], counter.Value(i).ToString());
            Assert.Equal(expected.Counts[expected.Order[i]], counter.CountAt(i));
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Counts_strings_as_a_dictionary_does(int count, int distinct)
    {
        var values = Values(count, distinct, count + distinct);
        var counter = new StringCounter();
        // Batches of varying sizes, across the counter's chunks; missing values (null here) are flagged and skipped.
        for (var start = 0; start < values.Length;)
        {
            var length = Math.Min(values.Length - start, 1 + (start % 1500));
            var batch = values.AsSpan(start, length);
            var missing = batch.ToArray().Select(v => v is null).ToArray();
            counter.AddAll(new StringValues(batch!), missing);
            start += length;
        }

        AssertEqual(Reference(values), counter);
    }

    [Fact]
    public void Counts_text_vectors_as_strings()
    {
        var values = Values(3000, 500, 7);
        var vector = new TextVector("text", 16);
        vector.Reset(values.Length);
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is { } v)
            {
                vector.Set(i, v);
            }
            else
            {
                vector.SetMissing(i);
            }
        }

        Assert.Equal(values, Enumerable.Range(0, values.Length).Select(vector.GetValue));
        var counter = new StringCounter();
        counter.AddAll(new TextVectorValues(vector), vector.Missing);
        AssertEqual(Reference(values), counter);
        vector.Release();
    }

    [Fact]
    public void Finds_the_entries_of_another_counters_values()
    {
        var reference = Values(30_000, 5000, 1);
        var current = Values(20_000, 8000, 2);
        var a = new StringCounter();
        var b = new StringCounter();
        a.AddAll(new StringValues(reference!), reference.Select(v => v is null).ToArray());
        b.AddAll(new StringValues(current!), current.Select(v => v is null).ToArray());
        var order = Reference(reference).Order;
        var expected = Reference(current).Order.Select(v => order.IndexOf(v));
        Assert.Equal(expected, a.IndicesOf(b));
        Assert.Contains(a.IndicesOf(b), i => i < 0);
        Assert.Contains(a.IndicesOf(b), i => i >= 0);
        Assert.Empty(a.IndicesOf(new StringCounter()));
        Assert.All(new StringCounter().IndicesOf(b), i => Assert.Equal(-1, i));
    }
}
