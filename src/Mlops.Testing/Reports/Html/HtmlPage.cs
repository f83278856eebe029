using System.Globalization;
using System.Net;
using System.Text;

namespace Mlops.Testing.Reports.Html;

/// <summary>The verdict colours of a header, card or badge.</summary>
internal enum HtmlTone
{
    Pass,
    Fail,
    Warn,
    Neutral,
}

/// <summary>
/// The layout every HTML report shares (validation now, drift later): a self-contained page with inline CSS and no
/// scripts, fonts or images from the network, a summary header, titled sections and cards. Every text it is given is
/// HTML-escaped here, so callers pass plain text and never markup.
/// </summary>
internal sealed class HtmlPage
{
    private const string Css = """
        :root{--pass:#1a7f37;--pass-bg:#dafbe1;--fail:#cf222e;--fail-bg:#ffebe9;--warn:#9a6700;--warn-bg:#fff8c5;--ink:#1f2328;--muted:#59636e;--line:#d1d9e0;--card:#fff;--page:#f6f8fa}
        *{box-sizing:border-box}
        body{margin:0;background:var(--page);color:var(--ink);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
        main{max-width:1180px;margin:0 auto;padding:24px}
        code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
        header.summary{display:flex;gap:28px;align-items:center;background:var(--card);border:1px solid var(--line);border-top:6px solid var(--tone);border-radius:10px;padding:20px 24px;margin-bottom:24px}
        .ring{flex:none;width:112px;height:112px;border-radius:50%;display:grid;place-items:center;background:conic-gradient(var(--pass) calc(var(--p)*1%),var(--fail) 0)}
        .ring span{width:84px;height:84px;border-radius:50%;background:var(--card);display:grid;place-items:center;font-size:22px;font-weight:700}
        .headline h1{margin:0 0 2px;font-size:22px}
        .headline .sub{color:var(--muted);margin-bottom:12px;word-break:break-all}
        .tiles{display:flex;flex-wrap:wrap;gap:10px}
        .tile{min-width:110px;padding:8px 14px;border-radius:8px;background:var(--page);border:1px solid var(--line)}
        .tile b{display:block;font-size:20px}
        .tile small{color:var(--muted);text-transform:uppercase;letter-spacing:.04em;font-size:11px}
        .tile.fail b{color:var(--fail)}.tile.pass b{color:var(--pass)}
        h2{font-size:16px;margin:28px 0 12px;color:var(--muted);text-transform:uppercase;letter-spacing:.05em}
        .card{background:var(--card);border:1px solid var(--line);border-left:5px solid var(--tone);border-radius:8px;padding:14px 18px;margin-bottom:12px}
        .card-head{display:flex;gap:10px;align-items:baseline;flex-wrap:wrap}
        .card-head .title{font-weight:600;word-break:break-word}
        .card-head .subtitle{color:var(--muted);word-break:break-word}
        .badge{flex:none;display:inline-block;min-width:54px;text-align:center;font-size:11px;font-weight:700;letter-spacing:.06em;padding:2px 8px;border-radius:999px;color:var(--tone);background:var(--tone-bg);border:1px solid var(--tone)}
        .chips{margin:8px 0 0;display:flex;flex-wrap:wrap;gap:6px}
        .chip{background:var(--page);border:1px solid var(--line);border-radius:6px;padding:1px 8px;word-break:break-all}
        .facts{display:flex;flex-wrap:wrap;gap:6px 22px;margin-top:10px}
        .facts div small{color:var(--muted);margin-right:6px}
        .bar{height:6px;border-radius:3px;background:var(--pass-bg);margin-top:10px;overflow:hidden}
        .bar i{display:block;height:100%;background:var(--fail)}
        .note{margin-top:10px;padding:8px 12px;border-radius:6px;background:var(--tone-bg);word-break:break-word}
        table{display:inline-table;border-collapse:collapse;margin:10px 36px 0 0;min-width:220px;vertical-align:top}
        th,td{border-bottom:1px solid var(--line);padding:3px 12px 3px 0;text-align:left;vertical-align:top;word-break:break-all}
        th{color:var(--muted);font-weight:600;font-size:12px}
        td.num,th.num{text-align:right}
        caption{caption-side:bottom;text-align:left;color:var(--muted);padding-top:6px}
        footer{color:var(--muted);font-size:12px;margin-top:28px;text-align:center}
        .pass{--tone:var(--pass);--tone-bg:var(--pass-bg)}.fail{--tone:var(--fail);--tone-bg:var(--fail-bg)}
        .warn{--tone:var(--warn);--tone-bg:var(--warn-bg)}.neutral{--tone:var(--muted);--tone-bg:var(--page)}
        """;

    private readonly StringBuilder _html = new();
    private bool _inCard;

    public HtmlPage(string title)
    {
        _html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(Encode(title)).Append("</title>\n<style>\n").Append(Css).Append("\n</style>\n</head>\n<body>\n<main>\n");
    }

    public static string Encode(string? text) => WebUtility.HtmlEncode(text ?? string.Empty);

    /// <summary>The summary header: a ring with <paramref name="percent"/> (omitted when null), a title, a subtitle and tiles.</summary>
    public HtmlPage Header(HtmlTone tone, string title, string subtitle, double? percent, IEnumerable<(string Label, string Value, HtmlTone Tone)> tiles)
    {
        _html.Append(CultureInfo.InvariantCulture, $"<header class=\"summary {Class(tone)}\">");
        if (percent is { } p)
        {
            var clamped = Math.Clamp(p, 0, 100);
            _html.Append(CultureInfo.InvariantCulture, $"<div class=\"ring\" style=\"--p:{clamped:0.##}\" title=\"{clamped:0.#}% met\"><span>{clamped:0.#}%</span></div>");
        }

        _html.Append("<div class=\"headline\"><h1>").Append(Encode(title)).Append("</h1><div class=\"sub\">").Append(Encode(subtitle)).Append("</div><div class=\"tiles\">");
        foreach (var (label, value, tileTone) in tiles)
        {
            _html.Append(CultureInfo.InvariantCulture, $"<div class=\"tile {Class(tileTone)}\"><b>{Encode(value)}</b><small>{Encode(label)}</small></div>");
        }

        _html.Append("</div></div></header>\n");
        return this;
    }

    public HtmlPage Section(string heading)
    {
        CloseCard();
        _html.Append("<h2>").Append(Encode(heading)).Append("</h2>\n");
        return this;
    }

    /// <summary>Starts a card; the calls that follow (chips, facts, tables, notes) fill it until the next card or section.</summary>
    public HtmlPage Card(HtmlTone tone, string badge, string title, string? subtitle = null)
    {
        CloseCard();
        _inCard = true;
        _html.Append(CultureInfo.InvariantCulture, $"<section class=\"card {Class(tone)}\"><div class=\"card-head\"><span class=\"badge\">{Encode(badge)}</span><code class=\"title\">{Encode(title)}</code>");
        if (!string.IsNullOrEmpty(subtitle))
        {
            _html.Append("<span class=\"subtitle\">").Append(Encode(subtitle)).Append("</span>");
        }

        _html.Append("</div>");
        return this;
    }

    public HtmlPage Chips(IEnumerable<string> chips)
    {
        var list = chips.ToList();
        if (list.Count > 0)
        {
            _html.Append("<div class=\"chips\">");
            foreach (var chip in list)
            {
                _html.Append("<code class=\"chip\">").Append(Encode(chip)).Append("</code>");
            }

            _html.Append("</div>");
        }

        return this;
    }

    public HtmlPage Facts(IEnumerable<(string Label, string Value)> facts)
    {
        var list = facts.ToList();
        if (list.Count > 0)
        {
            _html.Append("<div class=\"facts\">");
            foreach (var (label, value) in list)
            {
                _html.Append("<div><small>").Append(Encode(label)).Append("</small><span class=\"mono\">").Append(Encode(value)).Append("</span></div>");
            }

            _html.Append("</div>");
        }

        return this;
    }

    /// <summary>A thin bar filled to <paramref name="percent"/> in the failure colour.</summary>
    public HtmlPage Bar(double percent)
    {
        _html.Append(CultureInfo.InvariantCulture, $"<div class=\"bar\"><i style=\"width:{Math.Clamp(percent, 0, 100):0.##}%\"></i></div>");
        return this;
    }

    public HtmlPage Note(string text)
    {
        _html.Append("<div class=\"note\">").Append(Encode(text)).Append("</div>");
        return this;
    }

    /// <summary>A table (side by side with the next one); a header starting with '#' marks a right-aligned number column.</summary>
    public HtmlPage Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, string? caption = null)
    {
        _html.Append("<table>");
        if (caption is not null)
        {
            _html.Append("<caption>").Append(Encode(caption)).Append("</caption>");
        }

        _html.Append("<thead><tr>");
        foreach (var h in headers)
        {
            _html.Append(h.StartsWith('#') ? "<th class=\"num\">" : "<th>").Append(Encode(h.TrimStart('#'))).Append("</th>");
        }

        _html.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            _html.Append("<tr>");
            for (var i = 0; i < row.Count; i++)
            {
                _html.Append(i < headers.Count && headers[i].StartsWith('#') ? "<td class=\"num mono\">" : "<td class=\"mono\">").Append(Encode(row[i])).Append("</td>");
            }

            _html.Append("</tr>");
        }

        _html.Append("</tbody></table>");
        return this;
    }

    /// <summary>Closes the page with a footer line and returns the document.</summary>
    public string Finish(string footer)
    {
        CloseCard();
        _html.Append("<footer>").Append(Encode(footer)).Append("</footer>\n</main>\n</body>\n</html>\n");
        return _html.ToString();
    }

    public static string Class(HtmlTone tone) => tone switch
    {
        HtmlTone.Pass => "pass",
        HtmlTone.Fail => "fail",
        HtmlTone.Warn => "warn",
        _ => "neutral",
    };

    private void CloseCard()
    {
        if (_inCard)
        {
            _html.Append("</section>\n");
            _inCard = false;
        }
    }
}
