using System.Security.Cryptography;
using System.Text;
using Mlops.Core.Hashing;

namespace Mlops.Core.Tests;

public sealed class HashingTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void File_hash_matches_the_formats_vector()
    {
        var path = _temp.WriteFile("foo", "foo");

        Assert.Equal("acbd18db4cc2f85cedef654fccc4a4d8", FileHasher.HashFile(path));
        Assert.Equal("acbd18db4cc2f85cedef654fccc4a4d8", FileHasher.HashBytes("foo"u8));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(256 * 1024)]
    [InlineData(256 * 1024 + 1)]
    [InlineData(1024 * 1024)]
    [InlineData(3 * 1024 * 1024 + 5)]
    public async Task File_hash_equals_md5_of_the_bytes_at_every_size_boundary(int size)
    {
        var content = RandomNumberGenerator.GetBytes(size);
        var path = _temp.Combine("file.bin");
        await File.WriteAllBytesAsync(path, content);
        var expected = Convert.ToHexStringLower(MD5.HashData(content));

        Assert.Equal(expected, FileHasher.HashFile(path));
        Assert.Equal(expected, await FileHasher.HashFileAsync(path));
        Assert.Equal(expected, await FileHasher.HashStreamAsync(new MemoryStream(content)));
    }

    [Fact]
    public void Hashing_a_missing_file_names_it()
    {
        var error = Assert.Throws<MlopsException>(() => FileHasher.HashFile(_temp.Combine("missing.csv")));

        Assert.Contains("missing.csv", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Many_files_hash_in_parallel_and_keep_their_order()
    {
        var paths = Enumerable.Range(0, 500).Select(i => _temp.WriteFile($"many/{i % 7}/{i}.txt", new string('x', i * 37))).ToArray();
        var reported = 0;

        var hashes = await FileHasher.HashFilesAsync(paths, progress: new Progress<int>(n => Volatile.Write(ref reported, n)));

        for (var i = 0; i < paths.Length; i++)
        {
            Assert.Equal(Convert.ToHexStringLower(MD5.HashData(File.ReadAllBytes(paths[i]))), hashes[i]);
        }
    }

    [Fact]
    public async Task Directory_hash_matches_the_formats_vector()
    {
        var dir = _temp.Combine("data");
        _temp.WriteFile("data/foo", "foo");
        _temp.WriteFile("data/bar", "bar");
        _temp.WriteFile("data/subdir/subfoo", "subfoo");
        _temp.WriteFile("data/subdir/subbar", "subbar");
        Directory.CreateDirectory(_temp.Combine("data", "empty"));

        var manifest = await DirectoryHasher.HashDirectoryAsync(dir);

        Assert.Equal("1aca2c799df82929bbdd976557975546.dir", manifest.Md5);
        Assert.Equal(18, manifest.Size);
        Assert.Equal(4, manifest.FileCount);
        Assert.Equal(["bar", "foo", "subdir/subbar", "subdir/subfoo"], manifest.Entries.Select(e => e.RelativePath));
    }

    // Expected values computed independently with Python 3.11:
    //   entries.sort(key=lambda e: e["relpath"]); s = json.dumps(entries, sort_keys=True)
    //   hashlib.md5(s.encode()).hexdigest() + ".dir"
    private const string NonAsciiJson =
        """[{"md5": "21c2e59531c8710156d34a3c30ac81d5", "relpath": "Z-upper.txt"}, {"md5": "3e34bdebd9bd5edda27e8728904a2552", "relpath": "donn\u00e9es/\u00c5ngstr\u00f6m.txt"}, {"md5": "e5ebd4c02cefbe7955977c67ada242b7", "relpath": "donn\u00e9es/\u00e9t\u00e9.csv"}, {"md5": "96a75bdbf222c58cabde08ebe2172c9f", "relpath": "emoji/\uffff-bmp-last.txt"}, {"md5": "3ddaeb82fbba964fb3461d4e4f1342eb", "relpath": "emoji/\ud83d\ude00/face.txt"}, {"md5": "6627415e807ee33c7302917216e7da68", "relpath": "nested/deeper/deepest/file.bin"}, {"md5": "7694f4a66316e53c8cdd9d9954bd611d", "relpath": "quote\"and\\back.txt"}, {"md5": "e358efa489f58062f10dd7316b65649e", "relpath": "tab\tname.txt"}, {"md5": "fbade9e36a3f36d3d676c1b808451dd7", "relpath": "zz.txt"}, {"md5": "0faf20c0742dea03b4de218fc92877d3", "relpath": "\u65e5\u672c\u8a9e/\u30d5\u30a1\u30a4\u30eb.txt"}]""";

    [Fact]
    public async Task Directory_with_non_ascii_and_nested_names_matches_python()
    {
        var files = new Dictionary<string, string>
        {
            ["données/été.csv"] = "a,b\n1,2\n",
            ["données/Ångström.txt"] = "unit",
            ["emoji/😀/face.txt"] = "smile",
            ["emoji/\uffff-bmp-last.txt"] = "bmp",
            ["nested/deeper/deepest/file.bin"] = "deep",
            ["quote\"and\\back.txt"] = "q",
            ["tab\tname.txt"] = "t",
            ["zz.txt"] = "z",
            ["Z-upper.txt"] = "Z",
            ["日本語/ファイル.txt"] = "nihongo",
        };
        foreach (var (path, content) in files)
        {
            _temp.WriteFile("tree/" + path, content);
        }

        var manifest = await DirectoryHasher.HashDirectoryAsync(_temp.Combine("tree"));

        Assert.Equal(NonAsciiJson, Encoding.ASCII.GetString(manifest.Json.Span));
        Assert.Equal("c15f6ee4c58aad73f92f9b04db43da77.dir", manifest.Md5);
        Assert.Equal(10, manifest.FileCount);
    }

    [Fact]
    public async Task Include_filter_leaves_files_out_of_the_hash()
    {
        _temp.WriteFile("data/foo", "foo");
        _temp.WriteFile("data/bar", "bar");
        _temp.WriteFile("data/subdir/subfoo", "subfoo");
        _temp.WriteFile("data/subdir/subbar", "subbar");
        _temp.WriteFile("data/ignored.tmp", "noise");

        var manifest = await DirectoryHasher.HashDirectoryAsync(_temp.Combine("data"), include: p => !p.EndsWith(".tmp", StringComparison.Ordinal));

        Assert.Equal("1aca2c799df82929bbdd976557975546.dir", manifest.Md5);
    }

    [Fact]
    public void Code_point_order_puts_astral_characters_after_the_whole_bmp()
    {
        string[] names = ["😀", "\uffff", "\ue000", "a", "Z", "é"];

        Array.Sort(names, CodePointComparer.Instance);

        Assert.Equal(["Z", "a", "é", "\ue000", "\uffff", "😀"], names);
        Assert.True(string.CompareOrdinal("😀", "\uffff") < 0, "ordinal UTF-16 order differs, which is why the comparer exists");
    }

    [Fact]
    public void A_large_manifest_hashes_and_writes_the_same_bytes_as_one_written_whole()
    {
        // Over 100 KiB of JSON, so it is hashed and written in many pieces; some names need escapes, one astral.
        var entries = Enumerable.Range(0, 1500)
            .Select(i => new DirectoryEntry(i % 7 == 0 ? $"données/{i}\t\"é\".csv" : i == 5 ? "😀/x" : $"part-{i:D5}/file.bin", $"{i:x32}"))
            .ToList();
        var expected = "[" + string.Join(", ", entries
            .OrderBy(e => e.RelativePath, CodePointComparer.Instance)
            .Select(e => $"{{\"md5\": \"{e.Md5}\", \"relpath\": \"{PythonEscape(e.RelativePath)}\"}}")) + "]";

        var manifest = DirectoryManifest.Create(entries);

        Assert.Equal(expected, Encoding.ASCII.GetString(manifest.Json.Span));
        Assert.Equal(FileHasher.HashBytes(Encoding.ASCII.GetBytes(expected)) + ".dir", manifest.Md5);

        static string PythonEscape(string value) => string.Concat(value.Select(c => c switch
        {
            '"' => "\\\"",
            '\t' => "\\t",
            < ' ' or > '~' => $"\\u{(int)c:x4}",
            _ => c.ToString(),
        }));
    }

    [Fact]
    public void Manifest_escapes_control_characters_as_python_does()
    {
        var manifest = DirectoryManifest.Create([new DirectoryEntry("a\u0001\u007f\n", "acbd18db4cc2f85cedef654fccc4a4d8")]);

        Assert.Equal("""[{"md5": "acbd18db4cc2f85cedef654fccc4a4d8", "relpath": "a\u0001\u007f\n"}]""", Encoding.ASCII.GetString(manifest.Json.Span));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/absolute")]
    [InlineData("a/./b")]
    [InlineData("a//b")]
    [InlineData("")]
    public void Manifest_rejects_paths_that_escape_the_directory(string path)
    {
        Assert.Throws<ArgumentException>(() => DirectoryManifest.Create([new DirectoryEntry(path, "acbd18db4cc2f85cedef654fccc4a4d8")]));
    }

    [Fact]
    public void Manifest_rejects_duplicate_paths()
    {
        var error = Assert.Throws<ArgumentException>(() => DirectoryManifest.Create(
        [
            new DirectoryEntry("same", "acbd18db4cc2f85cedef654fccc4a4d8"),
            new DirectoryEntry("same", "37b51d194a7513e45b56f6524f2d51f2"),
        ]));

        Assert.Contains("same", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hashing_a_missing_directory_names_it()
    {
        var error = await Assert.ThrowsAsync<MlopsException>(() => DirectoryHasher.HashDirectoryAsync(_temp.Combine("nope")));

        Assert.Contains("nope", error.Message, StringComparison.Ordinal);
    }
}
