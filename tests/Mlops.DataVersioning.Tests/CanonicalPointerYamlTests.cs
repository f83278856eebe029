using Mlops.DataVersioning.Formats;
using YamlDotNet.RepresentationModel;

namespace Mlops.DataVersioning.Tests;

/// <summary>The quick pointer reader builds exactly YamlDotNet's nodes, or declines and leaves the file to YamlDotNet.</summary>
public sealed class CanonicalPointerYamlTests
{
    public static TheoryData<string> Canonical() =>
    [
        FormatTests.Golden("file.dvc"),
        FormatTests.Golden("directory.dvc"),
        FormatTests.Golden("legacy-dvc2.dvc"),
        "outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  size: 3\n  hash: md5\n  path: foo",
        "outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  size: 3\n  isexec: true\n  hash: md5\n  path: bin/run.sh\n  cache: false\n  remote: backup\n  push: false\nfrozen: true\n",
        "frozen: false\nouts:\n- path: a.csv\n- md5: 37b51d194a7513e45b56f6524f2d51f2\n  path: sub/b_c-1.2+x\n",
        "outs:\n- path: .hidden/data\n",
    ];

    public static TheoryData<string> NotCanonical() =>
    [
        FormatTests.Golden("extra-keys.dvc"),
        "",
        "outs:\n",
        "outs:\n\n- path: foo\n",
        "# written by hand\nouts:\n- path: foo\n",
        "outs:\n- path: foo # the data\n",
        "outs:\n- path: 'foo'\n",
        "outs:\n- path: \"foo\"\n",
        "outs:\n- path: my data.csv\n",
        "outs:\n- path: foo\r\n",
        "outs:\n- path: foo \n",
        "outs: [{path: foo}]\n",
        "outs:\n- path: foo\n  meta:\n    owner: me\n",
        "outs:\n- path: foo\n  remote:\n",
        "outs:\n- path: foo\n  path: bar\n",
        "outs:\n- path: foo\nouts:\n- path: bar\n",
        "outs:\n-   path: foo\n",
        "outs:\n  - path: foo\n",
        "\ufeffouts:\n- path: foo\n",
        "outs:\n- path: -foo\n",
        "outs:\n- path: foo:bar\n",
        "outs:\n- path: &a foo\n",
        "path: foo\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n",
    ];

    [Theory]
    [MemberData(nameof(Canonical))]
    public void A_canonical_pointer_reads_as_YamlDotNet_reads_it(string yaml)
    {
        var quick = CanonicalPointerYaml.TryRead(yaml);

        Assert.NotNull(quick);
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        Assert.Equal(Describe(stream.Documents[0].RootNode), Describe(quick));
    }

    [Theory]
    [MemberData(nameof(NotCanonical))]
    public void Anything_else_is_left_to_YamlDotNet(string yaml) => Assert.Null(CanonicalPointerYaml.TryRead(yaml));

    [Fact]
    public void A_canonical_pointer_with_a_bad_value_still_reports_its_line()
    {
        var ex = Assert.Throws<DataVersioningException>(() => PointerFile.Parse("outs:\n- size: 3\n  md5: nothex\n  path: foo\n", "foo.dvc"));

        Assert.Contains("line 3", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'md5: nothex' is not an md5", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_given_twice_is_still_an_error()
    {
        var ex = Assert.Throws<DataVersioningException>(() => PointerFile.Parse("outs:\n- path: foo\n  path: bar\n", "foo.dvc"));

        Assert.Contains("not valid YAML", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Canonical))]
    public void A_canonical_pointer_rewrites_as_the_YamlDotNet_read_does(string yaml)
    {
        var quick = PointerFile.Parse(yaml, "x.dvc");

        Assert.NotNull(CanonicalPointerYaml.TryRead(yaml));
        Assert.Equal(WithYamlDotNet(yaml), quick.ToYaml());
    }

    // The same text through YamlDotNet alone: a comment line forces the slow path and changes nothing else.
    private static string WithYamlDotNet(string yaml) => PointerFile.Parse("# slow path\n" + yaml, "x.dvc").ToYaml();

    private static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode scalar => $"scalar({scalar.Value},{scalar.Style},{scalar.Tag})",
        YamlSequenceNode sequence => $"seq[{string.Join(";", sequence.Children.Select(Describe))}]",
        YamlMappingNode mapping => $"map{{{string.Join(";", mapping.Children.Select(c => Describe(c.Key) + "=" + Describe(c.Value)))}}}",
        _ => node.GetType().Name,
    };
}
