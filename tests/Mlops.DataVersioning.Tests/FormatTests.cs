using System.Text;
using Mlops.DataVersioning.Formats;

namespace Mlops.DataVersioning.Tests;

public sealed class FormatTests
{
    internal static string Golden(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "golden", name), Encoding.UTF8);

    [Fact]
    public void A_file_pointer_is_written_byte_for_byte_as_DVC_3_writes_it()
    {
        var pointer = PointerFile.Create("foo.dvc", new PointerOutput { Path = "foo", Md5 = "acbd18db4cc2f85cedef654fccc4a4d8", Size = 3 });

        Assert.Equal(Golden("file.dvc"), pointer.ToYaml());
    }

    [Fact]
    public void A_directory_pointer_has_nfiles_before_hash()
    {
        var pointer = PointerFile.Create("data.dvc", new PointerOutput { Path = "data", Md5 = "1aca2c799df82929bbdd976557975546.dir", Size = 18, FileCount = 4 });

        Assert.Equal(Golden("directory.dvc"), pointer.ToYaml());
    }

    [Fact]
    public void Pointers_read_back_what_they_hold()
    {
        var pointer = PointerFile.Parse(Golden("directory.dvc"), "data.dvc");
        var output = Assert.Single(pointer.Outputs);

        Assert.Equal("data", output.Path);
        Assert.True(output.IsDirectory);
        Assert.Equal(18, output.Size);
        Assert.Equal(4, output.FileCount);
        Assert.False(output.IsLegacy);
    }

    [Fact]
    public void Unknown_keys_at_both_levels_survive_a_rewrite_in_their_order()
    {
        var pointer = PointerFile.Parse(Golden("extra-keys.dvc"), "foo.dvc");

        Assert.Equal(Golden("extra-keys.dvc"), pointer.ToYaml());
        Assert.Equal("storage", pointer.Outputs[0].Remote);
        Assert.False(pointer.Outputs[0].CanPush);

        pointer.SetOutput(0, pointer.Outputs[0] with { Md5 = "37b51d194a7513e45b56f6524f2d51f2", Size = 4 });
        Assert.Equal(Golden("extra-keys.rewritten.dvc"), pointer.ToYaml());
    }

    [Fact]
    public void A_DVC_2_pointer_reads_as_legacy_and_gains_hash_md5_when_its_data_changes()
    {
        var pointer = PointerFile.Parse(Golden("legacy-dvc2.dvc"), "foo.dvc");
        Assert.True(pointer.Outputs[0].IsLegacy);
        Assert.Equal(Golden("legacy-dvc2.dvc"), pointer.ToYaml());

        pointer.SetOutput(0, pointer.Outputs[0] with { Md5 = "37b51d194a7513e45b56f6524f2d51f2", IsLegacy = false });

        Assert.Equal(Golden("legacy-dvc2.rewritten.dvc"), pointer.ToYaml());
    }

    [Theory]
    [InlineData("outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  size: [3\n  path: foo\n", 3)]
    [InlineData("outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n   size: 3\n  path: foo\n", 3)]
    [InlineData("outs:\n- md5: not-an-md5\n  path: foo\n", 2)]
    [InlineData("outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  size: 3\n", 2)]
    public void Invalid_pointers_are_reported_with_file_and_line(string yaml, int line)
    {
        var error = Assert.Throws<DataVersioningException>(() => PointerFile.Parse(yaml, "data/foo.dvc"));

        Assert.Contains("'data/foo.dvc'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"line {line}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("data.csv", "data.csv")]
    [InlineData("123", "'123'")]
    [InlineData("true", "'true'")]
    [InlineData("null", "'null'")]
    [InlineData("1.5", "'1.5'")]
    [InlineData("2024-01-31", "'2024-01-31'")]
    [InlineData("a: b", "'a: b'")]
    [InlineData("#hash", "'#hash'")]
    [InlineData("- dash", "'- dash'")]
    [InlineData("it's", "it's")]
    [InlineData("'quoted'", "'''quoted'''")]
    [InlineData("données/été.csv", "données/été.csv")]
    [InlineData("tab\there", "\"tab\\there\"")]
    public void Paths_are_quoted_where_ruamel_quotes_them(string path, string expected)
    {
        var yaml = PointerFile.Create("x.dvc", new PointerOutput { Path = path, Md5 = "acbd18db4cc2f85cedef654fccc4a4d8", Size = 3 }).ToYaml();

        Assert.EndsWith($"  path: {expected}\n", yaml, StringComparison.Ordinal);
        Assert.Equal(path, PointerFile.Parse(yaml, "x.dvc").Outputs[0].Path);
    }

    [Fact]
    public void Config_is_read_and_written_as_configobj_does()
    {
        var config = DvcConfig.Parse(Golden("config"), ".dvc/config");

        Assert.Equal("storage", config.DefaultRemote);
        var remote = config.GetRemote("storage")!;
        Assert.Equal("s3://bucket/path", remote.Url);
        Assert.Equal("s3", remote.Scheme);
        Assert.Equal("http://localhost:9000", remote.Options["endpointurl"]);
        Assert.Equal(Golden("config"), config.ToText());
    }

    [Fact]
    public void A_new_config_with_a_default_remote_matches_dvc_remote_add_d()
    {
        var config = new DvcConfig();
        config.Set("core", "remote", "storage");
        config.Set(DvcConfig.RemoteSection("storage"), "url", "s3://bucket/path");
        config.Set(DvcConfig.RemoteSection("storage"), "endpointurl", "http://localhost:9000");

        Assert.Equal(Golden("config"), config.ToText());
    }

    [Fact]
    public void Config_local_merges_over_config_and_secrets_never_show_in_text_meant_for_people()
    {
        var merged = DvcConfig.Parse(Golden("config"), "config").MergedWith(DvcConfig.Parse(Golden("config.local"), "config.local"));

        Assert.Equal(["hardlink", "symlink"], merged.CacheTypes);
        var remote = merged.GetRemote("storage")!;
        Assert.Equal("s3://bucket/path", remote.Url);
        Assert.Equal("do-not-print-me", remote.Options["secret_access_key"]);
        Assert.DoesNotContain("do-not-print-me", remote.ToString(), StringComparison.Ordinal);
        Assert.Equal("remote 'x' (https://***@host/path)", new RemoteConfig("x", "https://user:pw@host/path", new Dictionary<string, string>()).ToString());
    }

    [Fact]
    public void A_bad_config_line_names_the_file_and_line_but_not_the_value()
    {
        var error = Assert.Throws<DataVersioningException>(() => DvcConfig.Parse("[core]\n    remote = x\nsecret-without-equals\n", ".dvc/config.local"));

        Assert.Contains(".dvc/config.local' line 3", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-without-equals", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cache_type_defaults_to_reflink_then_copy()
    {
        Assert.Equal(["reflink", "copy"], new DvcConfig().CacheTypes);
    }

    [Theory]
    [InlineData("data.csv", "/data.csv")]
    [InlineData("file[1].csv", "/file\\[1\\].csv")]
    [InlineData("what?!", "/what\\?\\!")]
    [InlineData("#notes*", "/\\#notes\\*")]
    [InlineData("sub/dir", "/sub/dir")]
    public void Gitignore_entries_are_escaped_the_gitignore_way(string path, string expected)
    {
        Assert.Equal(expected, GitIgnoreFile.EntryFor(path));
    }

    [Fact]
    public void Gitignore_lines_are_appended_once_and_removed_with_the_file_when_last()
    {
        using var temp = new TempDirectory();
        var path = temp.WriteFile(".gitignore", "*.log");

        Assert.True(GitIgnoreFile.AddEntry(path, "/data.csv"));
        Assert.False(GitIgnoreFile.AddEntry(path, "/data.csv"));
        Assert.True(GitIgnoreFile.AddEntry(path, "/model.bin"));
        Assert.Equal("*.log\n/data.csv\n/model.bin\n", File.ReadAllText(path));

        Assert.True(GitIgnoreFile.RemoveEntry(path, "/data.csv"));
        Assert.Equal("*.log\n/model.bin\n", File.ReadAllText(path));

        var lone = temp.Combine("sub", ".gitignore");
        Directory.CreateDirectory(Path.GetDirectoryName(lone)!);
        GitIgnoreFile.AddEntry(lone, "/x");
        GitIgnoreFile.RemoveEntry(lone, "/x");
        Assert.False(File.Exists(lone));
    }

    [Theory]
    [InlineData("*.tmp", "a.tmp", false, true)]
    [InlineData("*.tmp", "deep/dir/a.tmp", false, true)]
    [InlineData("*.tmp", "a.tmpx", false, false)]
    [InlineData("/root.txt", "root.txt", false, true)]
    [InlineData("/root.txt", "sub/root.txt", false, false)]
    [InlineData("logs/", "logs", true, true)]
    [InlineData("logs/", "logs", false, false)]
    [InlineData("logs/", "a/logs/x.txt", false, true)]
    [InlineData("data/*.csv", "data/x.csv", false, true)]
    [InlineData("data/*.csv", "data/sub/x.csv", false, false)]
    [InlineData("data/**/*.csv", "data/sub/deeper/x.csv", false, true)]
    [InlineData("data/**/*.csv", "data/x.csv", false, true)]
    [InlineData("**/cache", "a/b/cache", true, true)]
    [InlineData("build/**", "build/a/b.o", false, true)]
    [InlineData("file?.txt", "file1.txt", false, true)]
    [InlineData("file?.txt", "file12.txt", false, false)]
    [InlineData("[ab].txt", "b.txt", false, true)]
    [InlineData("[!ab].txt", "b.txt", false, false)]
    [InlineData("\\#literal", "#literal", false, true)]
    public void Dvcignore_patterns_follow_gitignore(string pattern, string path, bool isDirectory, bool ignored)
    {
        var rules = new IgnoreRules(["# a comment", "", pattern]);

        Assert.Equal(ignored, rules.IsIgnored(path, isDirectory));
    }

    [Fact]
    public void Negation_reincludes_unless_a_parent_folder_is_ignored()
    {
        var rules = new IgnoreRules(["*.csv", "!keep.csv", "secret/"]);

        Assert.True(rules.IsIgnored("drop.csv"));
        Assert.False(rules.IsIgnored("keep.csv"));
        Assert.True(rules.IsIgnored("secret/keep.csv"));
    }
}
