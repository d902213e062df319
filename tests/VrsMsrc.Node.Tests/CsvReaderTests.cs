using VrsMsrc.Contracts.Text;

namespace VrsMsrc.Node.Tests;

[Trait("Category", "Unit")]
public sealed class CsvReaderTests
{
    [Fact]
    public void Quoted_fields_may_hold_commas_quotes_and_line_breaks_and_lines_are_counted()
    {
        var csv = new CsvReader(new StringReader("# comment\na,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\"multi\nline\",2\n\nlast,3"));
        Assert.Equal(["a", "b"], csv.ReadHeader());
        Assert.Equal(["x, y", "say \"hi\""], csv.ReadRecord()!);
        Assert.Equal(3, csv.Line);
        Assert.Equal(["multi\nline", "2"], csv.ReadRecord()!);
        Assert.Equal(4, csv.Line);
        Assert.Equal(["last", "3"], csv.ReadRecord()!);
        Assert.Equal(7, csv.Line);
        Assert.Null(csv.ReadRecord());
    }

    [Fact]
    public void An_unclosed_quote_is_an_error_naming_its_line()
    {
        var csv = new CsvReader(new StringReader("a\n\"open"));
        csv.ReadHeader();
        var error = Assert.Throws<InvalidDataException>(() => csv.ReadRecord());
        Assert.StartsWith("line 2:", error.Message, StringComparison.Ordinal);
    }
}
