using System.Globalization;

namespace VrsMsrc.Contracts.Text;

/// <summary>Months travel as "YYYY-MM" strings, which sort in time order.</summary>
public static class Months
{
    public static bool TryParse(string text, out DateOnly firstDay) =>
        DateOnly.TryParseExact(text, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out firstDay);

    public static DateOnly Parse(string text) =>
        TryParse(text, out var day) ? day : throw new FormatException($"'{text}' is not a month (YYYY-MM)");

    public static string Format(DateOnly day) => day.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public static string Of(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);
}
