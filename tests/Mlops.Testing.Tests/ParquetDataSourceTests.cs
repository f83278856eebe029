using Mlops.Testing.Data;
using Parquet;
using Parquet.Schema;
using static Mlops.Testing.Tests.TestHelpers;

namespace Mlops.Testing.Tests;

public sealed class ParquetDataSourceTests
{
    /// <summary>Two row groups of 5 rows: ids 0–9, every third amount missing, names with a null, dates, flags.</summary>
    private static async Task<byte[]> WriteParquetAsync()
    {
        var id = new DataField<int>("id");
        var amount = new DataField<double?>("amount");
        var name = new DataField<string>("name");
        var when = new DataField<DateTime?>("when");
        var flag = new DataField<bool>("flag");
        using var stream = new MemoryStream();
        var writer = await ParquetWriter.CreateAsync(new ParquetSchema(id, amount, name, when, flag), stream);
        await using (writer)
        {
            for (var g = 0; g < 2; g++)
            {
                var rows = Enumerable.Range(g * 5, 5).ToArray();
                using var group = writer.CreateRowGroup();
                await group.WriteAsync<int>(id, rows.AsMemory());
                await group.WriteAsync<double>(amount, rows.Select(i => i % 3 == 0 ? null : (double?)(i * 1.5)).ToArray().AsMemory());
                await group.WriteAsync(name, rows.Select(i => i == 7 ? null! : $"n{i}").ToArray());
                await group.WriteAsync<DateTime>(when, rows.Select(i => (DateTime?)new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(i)).ToArray().AsMemory());
                await group.WriteAsync<bool>(flag, rows.Select(i => i % 2 == 0).ToArray().AsMemory());
            }
        }

        return stream.ToArray();
    }

    [Fact]
    public async Task Columns_types_and_values_are_read_across_row_groups_and_batches()
    {
        var bytes = await WriteParquetAsync();
        var source = ParquetDataSource.FromStream(() => new MemoryStream(bytes), "test.parquet");

        var schema = await source.GetSchemaAsync();

        Assert.Equal(["id:Int64", "amount:Double", "name:String", "when:DateTime", "flag:Boolean"], schema.Columns.Select(c => $"{c.Name}:{c.Type}"));
        Assert.Equal(10L, await source.GetRowCountAsync());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (object?)(long)i), await ReadColumnAsync(source, "id", batchSize: 3));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i % 3 == 0 ? null : (object?)(i * 1.5)), await ReadColumnAsync(source, "amount", batchSize: 3));
        Assert.Null((await ReadColumnAsync(source, "name"))[7]);
        Assert.Equal(new DateTime(2024, 1, 10), (DateTime)(await ReadColumnAsync(source, "when"))[9]!, TimeSpan.FromDays(1));
    }

    [Fact]
    public async Task A_suite_validates_a_parquet_file_with_row_indexes_across_row_groups()
    {
        var bytes = await WriteParquetAsync();
        var suite = ExpectationSuite.Create("p")
            .ExpectTableRowCountToEqual(10)
            .ExpectColumnValuesToNotBeNull("amount")
            .ExpectColumnValuesToBeBetween("id", 0, 6)
            .ExpectColumnValuesToBeUnique("id")
            .Build();

        var result = await suite.ValidateAsync(ParquetDataSource.FromStream(() => new MemoryStream(bytes)));

        Assert.True(result.Results[0].Success);
        Assert.Equal([0L, 3L, 6L, 9L], result.Results[1].Result.PartialUnexpectedIndexList);
        Assert.Equal([7L, 8L, 9L], result.Results[2].Result.PartialUnexpectedIndexList);
        Assert.True(result.Results[3].Success);
    }

    [Fact]
    public async Task A_file_that_is_not_parquet_is_an_error_naming_it()
    {
        var source = ParquetDataSource.FromStream(() => new MemoryStream("a,b\n1,2\n"u8.ToArray()), "oops.parquet");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => source.GetSchemaAsync().AsTask());

        Assert.IsType<DataTestingException>(error);
        Assert.Contains("oops.parquet", error.Message);
    }
}
