using VrsMsrc.Hub.Storage;

namespace VrsMsrc.Hub.Tests.Storage;

[Trait("Category", "Unit")]
public sealed class PooledBytesTests
{
    [Fact]
    public void Bytes_written_across_growth_are_kept_in_order()
    {
        var expected = new byte[3_000_017];
        new Random(7).NextBytes(expected);
        using var bytes = new PooledBytes();
        for (var at = 0; at < expected.Length;)
        {
            var count = Math.Min(1 + (at % 65_537), expected.Length - at);
            bytes.Write(expected.AsSpan(at, count));
            at += count;
        }

        Assert.Equal(expected.Length, bytes.Length);
        Assert.True(bytes.Written.Span.SequenceEqual(expected));
    }

    /// <summary>A checking pass reads what was written when it started while the receiving loop writes on: the buffer it reads stays as it was.</summary>
    [Fact]
    public void Memory_read_before_the_buffer_grew_still_holds_its_bytes()
    {
        using var bytes = new PooledBytes();
        bytes.Write([1, 2, 3]);
        var before = bytes.Written;
        bytes.Write(new byte[1 << 20]);
        bytes.Write(new byte[4 << 20]);

        Assert.Equal(new byte[] { 1, 2, 3 }, before.ToArray());
        Assert.Equal(new byte[] { 1, 2, 3 }, bytes.Written[..3].ToArray());
    }

    [Fact]
    public void Reserved_room_is_written_in_place_and_counted_once_advanced()
    {
        using var bytes = new PooledBytes();
        var room = bytes.Reserve(4);
        Assert.True(room.Length >= 4);
        "abcd"u8.CopyTo(room);
        Assert.Equal(0, bytes.Length);

        bytes.Advance(4);
        Assert.Equal("abcd"u8.ToArray(), bytes.Written.ToArray());
    }

    [Fact]
    public void Disposed_bytes_are_empty_and_more_than_an_array_can_hold_is_refused()
    {
        var bytes = new PooledBytes();
        bytes.Write(new byte[100]);
        bytes.Dispose();
        Assert.Equal(0, bytes.Length);
        Assert.True(bytes.Written.IsEmpty);

        bytes.Write([9]);
        Assert.Throws<ArgumentOutOfRangeException>(() => bytes.Reserve(Array.MaxLength));
    }
}
