using System.Buffers;

namespace VrsMsrc.Hub.Storage;

/// <summary>
/// A growing run of bytes in buffers from the shared array pool. A push fills a few of them with megabytes
/// (its payload as it arrives, the stored form of its months): new arrays would be allocated and zeroed at
/// every doubling, each a large object that brings a full garbage collection of the hub's heap, with its
/// cached cells, nearer. A buffer outgrown is kept until <see cref="Dispose"/>, as a checking pass may still
/// be reading it; nothing read from here may be used after that.
/// </summary>
internal sealed class PooledBytes : IDisposable
{
    private readonly List<byte[]> _outgrown = [];
    private byte[] _buffer = [];

    public int Length { get; private set; }

    /// <summary>Everything written; the memory stays valid until <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, Length);

    /// <summary>Room for at most <see cref="Array.MaxLength"/> bytes in all: where the next <paramref name="count"/> bytes go, followed by <see cref="Advance"/>.</summary>
    public Span<byte> Reserve(int count)
    {
        var needed = (long)Length + count;
        if (needed > _buffer.Length)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(needed, Array.MaxLength, nameof(count));
            var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(2L * _buffer.Length, needed), Array.MaxLength));
            _buffer.AsSpan(0, Length).CopyTo(bigger);
            if (_buffer.Length > 0)
            {
                _outgrown.Add(_buffer);
            }

            _buffer = bigger;
        }

        return _buffer.AsSpan(Length);
    }

    public void Advance(int count) => Length += count;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        Length += bytes.Length;
    }

    public void Dispose()
    {
        foreach (var buffer in _outgrown.Append(_buffer).Where(b => b.Length > 0))
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        _outgrown.Clear();
        _buffer = [];
        Length = 0;
    }
}
