using System.Text;
using Mlops.DataVersioning.Internal;

namespace Mlops.DataVersioning.Tests;

/// <summary>Whole-file writes show the whole content under the name or nothing, and never leave a temporary file.</summary>
public sealed class RawFileTests : IDisposable
{
    private const UnixFileMode ReadOnly = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode ReadWrite = ReadOnly | UnixFileMode.UserWrite;

    private readonly TempDirectory _temp = new();

    public delegate void Write(string path, byte[] bytes, UnixFileMode mode, bool keepExisting);

    // The Linux way (an unnamed file, then linkat) and the portable one (a temporary name, then rename).
    public static TheoryData<string> Ways() => ["unnamed", "temporary name"];

    private static Write WayOf(string way) => way == "unnamed"
        ? (path, bytes, mode, keep) => RawFile.WriteAtomically(path, bytes, mode, flushToDisk: false, keep)
        : (path, bytes, mode, _) => RawFile.WriteViaTemporaryName(path, bytes, mode, flushToDisk: false);

    [Theory]
    [MemberData(nameof(Ways))]
    public void A_new_file_gets_its_bytes_and_mode_and_nothing_else_is_left_in_the_folder(string way)
    {
        var path = _temp.Combine("object");
        var bytes = Encoding.UTF8.GetBytes("the whole content");

        WayOf(way)(path, bytes, ReadOnly, false);

        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Equal(ReadOnly, File.GetUnixFileMode(path) & ~(UnixFileMode.GroupWrite | UnixFileMode.OtherWrite));
        Assert.Equal(["object"], Directory.GetFiles(_temp.Path).Select(Path.GetFileName));
        Assert.True(RawFile.WritesUnnamedFiles, "this Linux file system should take O_TMPFILE and linkat");
    }

    [Theory]
    [MemberData(nameof(Ways))]
    public void An_existing_file_is_replaced_whole(string way)
    {
        var path = _temp.WriteFile("data.csv", "old content, longer than the new");

        WayOf(way)(path, "new"u8.ToArray(), ReadWrite, false);

        Assert.Equal("new", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_temp.Path));
    }

    [Fact]
    public void An_existing_content_addressed_object_is_kept_when_asked()
    {
        var path = _temp.WriteFile("object", "already there");
        var inode = FileStatus.Get(path)!.Value.Inode;

        RawFile.WriteAtomically(path, "already there"u8, ReadOnly, flushToDisk: false, keepExisting: true);

        Assert.Equal(inode, FileStatus.Get(path)!.Value.Inode);
        Assert.Single(Directory.GetFiles(_temp.Path));
    }

    [Theory]
    [MemberData(nameof(Ways))]
    public void A_missing_folder_is_reported_and_nothing_is_created(string way)
    {
        var path = _temp.Combine("missing", "object");

        Assert.Throws<DirectoryNotFoundException>(() => WayOf(way)(path, [1, 2, 3], ReadOnly, false));

        Assert.False(Directory.Exists(_temp.Combine("missing")));
    }

    [Fact]
    public void Empty_and_one_mebibyte_files_round_trip()
    {
        foreach (var size in new[] { 0, RawFile.SmallFileSize })
        {
            var path = _temp.Combine($"size-{size}");
            var bytes = new byte[size];
            new Random(size).NextBytes(bytes);

            RawFile.WriteAtomically(path, bytes, ReadWrite, flushToDisk: true, keepExisting: false);

            using var read = RawFile.ReadWhole(path, size);
            Assert.True(read.Fits);
            Assert.True(bytes.AsSpan().SequenceEqual(read.Bytes));
        }
    }

    [Fact]
    public void A_whole_read_tells_whether_the_file_fit()
    {
        var path = _temp.WriteFile("data.csv", "a,b\n1,2\n");

        using (var file = RawFile.ReadWhole(path, 8))
        {
            Assert.True(file.Fits);
            Assert.Equal("a,b\n1,2\n", Encoding.UTF8.GetString(file.Bytes));
        }

        File.WriteAllBytes(path, new byte[100_000]);
        using var grown = RawFile.ReadWhole(path, 8);
        Assert.False(grown.Fits);
    }

    public void Dispose() => _temp.Dispose();
}
