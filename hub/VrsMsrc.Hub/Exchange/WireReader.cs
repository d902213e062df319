using System.Text;

namespace VrsMsrc.Hub.Exchange;

/// <summary>Bytes that do not follow the protobuf wire format of a release.</summary>
internal sealed class MalformedReleaseException(string message) : Exception(message);

/// <summary>
/// The protobuf wire format over a span, for the one message the hub reads in bulk (a release of 100,000
/// cells and more): fields are read where they lie and strings stay UTF-8 bytes until one is needed, so
/// reading a release makes no object per cell. Every length is checked against what is left, so hostile
/// bytes end in <see cref="MalformedReleaseException"/>, never in a read past the end. As in generated
/// protobuf code, a field of unknown number or unexpected wire type is skipped.
/// </summary>
internal ref struct WireReader(ReadOnlySpan<byte> data, int offset = 0)
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int Fixed32 = 5;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly bool AtEnd => _position >= _data.Length;

    /// <summary>Bytes read so far.</summary>
    public readonly int Position => _position;

    /// <summary>
    /// Whether the next field, tag to last byte, lies within the data: false while a payload is still
    /// arriving and the field is cut off. A field that could never be whole (a bad tag, an overlong number)
    /// counts as whole, so that reading it names what is wrong.
    /// </summary>
    public readonly bool HasWholeField()
    {
        var ahead = this;
        if (!ahead.TryVarint(out var tag))
        {
            return false;
        }

        return (int)(tag & 7) switch
        {
            Varint => ahead.TryVarint(out _),
            Fixed64 => ahead._data.Length - ahead._position >= 8,
            LengthDelimited => ahead.TryVarint(out var length) && length <= (ulong)(ahead._data.Length - ahead._position),
            Fixed32 => ahead._data.Length - ahead._position >= 4,
            _ => true,
        };
    }

    /// <summary>The next field's number and wire type.</summary>
    public (int Field, int WireType) ReadTag()
    {
        // Every field of a release has a number below 16: its tag is one byte.
        if (_position < _data.Length && _data[_position] is >= 8 and < 0x80)
        {
            var oneByte = _data[_position++];
            return (oneByte >> 3, oneByte & 7);
        }

        var tag = ReadVarint();
        var field = tag >> 3;
        if (field is 0 or > 536_870_911)
        {
            throw new MalformedReleaseException($"invalid field number {field}");
        }

        return ((int)field, (int)(tag & 7));
    }

    public ulong ReadVarint()
    {
        // Tags, lengths of codes and most values of a release take one byte.
        if (_position < _data.Length && _data[_position] < 0x80)
        {
            return _data[_position++];
        }

        return ReadLongVarint();
    }

    private ulong ReadLongVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _data.Length)
            {
                throw new MalformedReleaseException("the message ends inside a number");
            }

            var b = _data[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new MalformedReleaseException("a number is longer than ten bytes");
    }

    /// <summary>Reads a number if all its bytes are there; true, too, for one that is too long to be a number (reading it names that).</summary>
    private bool TryVarint(out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _data.Length)
            {
                return false;
            }

            var b = _data[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return true;
    }

    public ReadOnlySpan<byte> ReadBytes()
    {
        var range = ReadRange();
        return _data[(range.Start.Value - offset)..(range.End.Value - offset)];
    }

    /// <summary>Where a length-delimited field lies, counted from the start of the span this reader's span was cut from.</summary>
    public Range ReadRange()
    {
        var length = ReadVarint();
        if (length > (ulong)(_data.Length - _position))
        {
            throw new MalformedReleaseException("a field is longer than the message around it");
        }

        var start = _position;
        _position += (int)length;
        return (offset + start)..(offset + _position);
    }

    /// <summary>A string field; protobuf strings are UTF-8, and bytes that are not are refused as Google.Protobuf refuses them.</summary>
    public string ReadString()
    {
        try
        {
            return StrictUtf8.GetString(ReadBytes());
        }
        catch (DecoderFallbackException)
        {
            throw new MalformedReleaseException("a text field is not valid UTF-8");
        }
    }

    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case Varint:
                ReadVarint();
                break;
            case Fixed64:
                Advance(8);
                break;
            case LengthDelimited:
                ReadRange();
                break;
            case Fixed32:
                Advance(4);
                break;
            default:
                throw new MalformedReleaseException($"wire type {wireType} does not occur in a release");
        }
    }

    private void Advance(int count)
    {
        if (count > _data.Length - _position)
        {
            throw new MalformedReleaseException("the message ends inside a field");
        }

        _position += count;
    }
}
