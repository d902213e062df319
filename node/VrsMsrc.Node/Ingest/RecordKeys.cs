using System.Security.Cryptography;

namespace VrsMsrc.Node.Ingest;

/// <summary>
/// Record keys (DESIGN §3.2): uniform on 0–255 from the cryptographic generator, which is what keeps
/// them unguessable. One random byte is exactly one key, so the generator is asked for a block of them
/// at a time rather than once per row of a million-row import. One per writer; not thread-safe.
/// </summary>
internal sealed class RecordKeys
{
    private readonly byte[] _block = new byte[4096];
    private int _next;

    public RecordKeys() => RandomNumberGenerator.Fill(_block);

    public int Next()
    {
        if (_next == _block.Length)
        {
            RandomNumberGenerator.Fill(_block);
            _next = 0;
        }

        return _block[_next++];
    }
}
