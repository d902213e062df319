using System.Text;

namespace VrsMsrc.Contracts.Text;

/// <summary>
/// RFC 4180 reader: quoted fields may hold commas, quotes (doubled) and line breaks. Lines starting with
/// '#' before the header are comments, so shipped code lists can name their source.
/// </summary>
public sealed class CsvReader(TextReader reader)
{
    private readonly StringBuilder _field = new();

    /// <summary>1-based line on which the last record returned started.</summary>
    public long Line { get; private set; }

    private long _nextLine = 1;

    public string[] ReadHeader()
    {
        while (reader.Peek() == '#')
        {
            reader.ReadLine();
            _nextLine++;
        }

        return ReadRecord() ?? throw new InvalidDataException("the file is empty: a header row is required");
    }

    /// <summary>Next record, or null at the end. Blank lines are skipped.</summary>
    public string[]? ReadRecord()
    {
        // At the end of the file the line is the one after the last, where a missing row would be.
        Line = _nextLine;
        while (reader.ReadLine() is { } line)
        {
            Line = _nextLine++;
            if (line.Length == 0)
            {
                continue;
            }

            // Most rows quote nothing: split them directly and keep the careful parser for the rest.
            return line.Contains('"', StringComparison.Ordinal) ? ParseQuoted(line) : line.Split(',');
        }

        return null;
    }

    private string[] ParseQuoted(string line)
    {
        var fields = new List<string>();
        _field.Clear();
        var quoted = false;
        for (var i = 0; ; i++)
        {
            if (i == line.Length)
            {
                if (!quoted)
                {
                    break;
                }

                // A quoted field goes on past the line break.
                line = reader.ReadLine() ?? throw new InvalidDataException($"line {Line}: a quoted field is not closed before the end of the file");
                _nextLine++;
                _field.Append('\n');
                i = -1;
                continue;
            }

            var ch = line[i];
            if (quoted)
            {
                if (ch != '"')
                {
                    _field.Append(ch);
                }
                else if (i + 1 < line.Length && line[i + 1] == '"')
                {
                    _field.Append('"');
                    i++;
                }
                else
                {
                    quoted = false;
                }
            }
            else if (ch == '"' && _field.Length == 0)
            {
                quoted = true;
            }
            else if (ch == ',')
            {
                fields.Add(_field.ToString());
                _field.Clear();
            }
            else
            {
                _field.Append(ch);
            }
        }

        fields.Add(_field.ToString());
        return [.. fields];
    }
}
