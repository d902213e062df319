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
        while (true)
        {
            Line = _nextLine;
            var fields = new List<string>();
            var quoted = false;
            var any = false;
            _field.Clear();
            int c;
            while ((c = reader.Read()) != -1)
            {
                any = true;
                var ch = (char)c;
                if (quoted)
                {
                    if (ch == '"')
                    {
                        if (reader.Peek() == '"')
                        {
                            reader.Read();
                            _field.Append('"');
                        }
                        else
                        {
                            quoted = false;
                        }
                    }
                    else
                    {
                        if (ch == '\n')
                        {
                            _nextLine++;
                        }

                        _field.Append(ch);
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
                else if (ch == '\r')
                {
                    // CRLF line ends: the '\n' that follows ends the record.
                }
                else if (ch == '\n')
                {
                    _nextLine++;
                    break;
                }
                else
                {
                    _field.Append(ch);
                }
            }

            if (!any)
            {
                return null;
            }

            if (quoted)
            {
                throw new InvalidDataException($"line {Line}: a quoted field is not closed before the end of the file");
            }

            fields.Add(_field.ToString());
            if (fields.Count == 1 && fields[0].Length == 0)
            {
                if (c == -1)
                {
                    return null;
                }

                continue;
            }

            return [.. fields];
        }
    }
}
