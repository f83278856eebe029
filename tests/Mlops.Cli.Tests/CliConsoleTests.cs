using Spectre.Console;

namespace Mlops.Cli.Tests;

public sealed class CliConsoleTests
{
    [Theory]
    [InlineData(true, null, "xterm-256color", true)]
    [InlineData(false, null, "xterm-256color", false)]
    [InlineData(true, "1", "xterm-256color", false)]
    [InlineData(true, "", "xterm-256color", true)]
    [InlineData(true, null, "dumb", false)]
    public void Output_is_styled_only_on_a_terminal_without_NO_COLOR_or_TERM_dumb(bool terminal, string? noColor, string term, bool styled)
    {
        var console = Create(terminal, new Dictionary<string, string?> { ["NO_COLOR"] = noColor, ["TERM"] = term });

        Assert.Equal(styled, console.IsOutputStyled);
        Assert.Equal(styled, console.IsErrorStyled);
    }

    [Fact]
    public void A_plain_console_renders_styled_content_without_escapes_and_is_not_interactive()
    {
        using var stdout = new StringWriter();
        var console = new CliConsole(stdout, TextWriter.Null, getEnvironmentVariable: _ => null);

        var ansi = console.CreateOutputConsole();
        ansi.MarkupLine("[bold red]error[/] [link=https://example.com]link[/]");

        Assert.Equal("error link" + Environment.NewLine, stdout.ToString());
        Assert.False(ansi.Profile.Capabilities.Interactive);
    }

    [Fact]
    public void A_plain_console_lays_out_tables_to_COLUMNS()
    {
        using var stdout = new StringWriter();
        var console = new CliConsole(stdout, TextWriter.Null, getEnvironmentVariable: name => name == "COLUMNS" ? "42" : null);

        Assert.Equal(42, console.CreateOutputConsole().Profile.Width);
    }

    [Fact]
    public void Errors_are_written_plain_when_not_styled()
    {
        using var stderr = new StringWriter();
        var console = new CliConsole(TextWriter.Null, stderr, getEnvironmentVariable: _ => null);

        console.WriteError("Cannot read [x].");

        Assert.Equal("Cannot read [x]." + Environment.NewLine, stderr.ToString());
    }

    private static CliConsole Create(bool terminal, Dictionary<string, string?> variables) =>
        new(TextWriter.Null, TextWriter.Null, terminal, terminal, name => variables.GetValueOrDefault(name));
}
