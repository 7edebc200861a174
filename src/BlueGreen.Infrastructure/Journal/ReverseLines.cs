using System.Text;

namespace BlueGreen.Infrastructure.Journal;

/// <summary>The lines of a file from the last to the first, read in chunks from the end: the newest entries cost the least.</summary>
internal static class ReverseLines
{
    private const int Chunk = 64 * 1024;

    public static IEnumerable<string> Of(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var position = stream.Length;
        var carry = Array.Empty<byte>();
        var buffer = new byte[Chunk];
        while (position > 0)
        {
            var size = (int)Math.Min(Chunk, position);
            position -= size;
            stream.Seek(position, SeekOrigin.Begin);
            // The file may be cut back by a failed append meanwhile: read what is there.
            var read = stream.ReadAtLeast(buffer.AsSpan(0, size), size, throwOnEndOfStream: false);
            if (read < size)
            {
                Array.Clear(buffer, read, size - read);
            }

            var block = new byte[size + carry.Length];
            Buffer.BlockCopy(buffer, 0, block, 0, size);
            Buffer.BlockCopy(carry, 0, block, size, carry.Length);
            var end = block.Length;
            for (var i = block.Length - 1; i >= 0; i--)
            {
                if (block[i] != (byte)'\n')
                {
                    continue;
                }

                if (end - i - 1 > 0)
                {
                    yield return Encoding.UTF8.GetString(block, i + 1, end - i - 1);
                }

                end = i;
            }

            carry = block[..end];
        }

        if (carry.Length > 0)
        {
            yield return Encoding.UTF8.GetString(carry);
        }
    }
}
