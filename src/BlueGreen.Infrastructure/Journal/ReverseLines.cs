namespace BlueGreen.Infrastructure.Journal;

/// <summary>
/// The lines of a file from the last to the first, read in chunks from the end: the newest entries cost
/// the least, and memory stays at a chunk whatever the file's size. Each line comes with its offset.
/// </summary>
internal static class ReverseLines
{
    private const int Chunk = 64 * 1024;

    public static IEnumerable<(long Start, byte[] Line)> Of(string path)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            yield break;
        }

        using (stream)
        {
            var position = stream.Length;
            var carry = Array.Empty<byte>();
            var buffer = new byte[Chunk];
            while (position > 0)
            {
                var size = (int)Math.Min(Chunk, position);
                position -= size;
                stream.Seek(position, SeekOrigin.Begin);
                // The file may be cut back by a failed append meanwhile: read what is there (the missing
                // bytes read as zeros, so that line does not parse and is skipped).
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
                        yield return (position + i + 1, block[(i + 1)..end]);
                    }

                    end = i;
                }

                carry = block[..end];
            }

            if (carry.Length > 0)
            {
                yield return (0, carry);
            }
        }
    }
}
