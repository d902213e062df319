using System.Globalization;
using Microsoft.Playwright;

namespace VrsMsrc.Dashboard.Tests;

/// <summary>What a panel of the dashboard shows: its table's header and cells as text, as a reader sees them.</summary>
internal sealed record Shown(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows)
{
    public static async Task<Shown> TableAsync(IPage page, string panel)
    {
        var table = page.Locator($"table[data-panel='{panel}']");
        await table.WaitForAsync();
        var header = await table.Locator("thead th").AllInnerTextsAsync();
        var rows = await table.EvaluateAsync<string[][]>(
            "t => [...t.tBodies[0].rows].map(r => [...r.cells].map(c => c.innerText.trim()))");
        return new Shown(header.Select(h => h.Trim()).ToList(), rows);
    }

    /// <summary>The cell of the row whose first cell is <paramref name="key"/>, in the column headed <paramref name="column"/>.</summary>
    public string Cell(string key, string column)
    {
        var row = Rows.SingleOrDefault(r => r[0] == key) ?? throw new Xunit.Sdk.XunitException($"no row '{key}' in [{string.Join("; ", Rows.Select(r => r[0]))}]");
        var index = Header.ToList().IndexOf(column);
        Assert.True(index >= 0, $"no column '{column}' in [{string.Join(", ", Header)}]");
        return row[index];
    }

    /// <summary>How the dashboard writes an engine value: the flag of an unpublished cell, a partial sum as a lower bound.</summary>
    public static string Text(long value, string flag) => flag switch
    {
        "suppressed" or "missing" => flag,
        "partial" => $"{value} (partial)",
        _ => value.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>A decimal as the dashboard rounds it (to hundredths, halves up like JavaScript's Math.round).</summary>
    public static string Text(double value) => (Math.Round(value * 100, MidpointRounding.AwayFromZero) / 100).ToString(CultureInfo.InvariantCulture);
}
