using System.Text;
using Mlops.Testing.Data;

namespace Mlops.Testing.Tests.Csv;

/// <summary>Records without quotes are split a vector of characters at a time: the fields equal string.Split's.</summary>
public sealed class CsvRecordSplitTests
{
    [Theory]
    [InlineData(',')]
    [InlineData(';')]
    [InlineData('\t')]
    [InlineData('é')]
    public async Task Fields_equal_string_split_for_any_lengths_and_delimiters(char delimiter)
    {
        var random = new Random(delimiter);
        var lines = new List<string>();
        for (var i = 0; i < 3000; i++)
        {
            // 1 to 100 fields of 0 to 40 characters: delimiters at every position of a vector, empty fields, long lines.
            var fields = Enumerable.Range(0, 1 + random.Next(i % 7 == 0 ? 100 : 20))
                .Select(_ => new string('x', random.Next(random.Next(2) == 0 ? 3 : 41)) + (random.Next(5) == 0 ? "ü" : ""));
            lines.Add(string.Join(delimiter, fields));
        }

        lines.Add(new string(delimiter, 33));
        var text = string.Join('\n', lines.Where(l => l.Length > 0)) + "\n";
        using var reader = new CsvRecordReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), null, delimiter);
        foreach (var line in lines.Where(l => l.Length > 0))
        {
            Assert.True(await reader.ReadAsync(CancellationToken.None));
            var expected = line.Split(delimiter);
            Assert.Equal(expected.Length, reader.FieldCount);
            for (var f = 0; f < expected.Length; f++)
            {
                Assert.Equal(expected[f], reader[f].ToString());
            }
        }

        Assert.False(await reader.ReadAsync(CancellationToken.None));
    }
}
