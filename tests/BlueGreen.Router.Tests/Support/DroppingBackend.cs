using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BlueGreen.Router.Tests.Support;

/// <summary>
/// A raw TCP upstream that reads each request's head and then resets the connection without a byte of
/// answer for its first <c>drops</c> connections (as an overloaded server does), then answers "ok".
/// </summary>
public sealed class DroppingBackend : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _requestLines = [];
    private readonly Task _accepting;
    private int _dropsLeft;

    public DroppingBackend(int drops)
    {
        _dropsLeft = drops;
        _listener.Start();
        UrlText = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _accepting = Task.Run(AcceptAsync);
    }

    public string UrlText { get; }

    /// <summary>The request line of every request that reached this server, dropped or answered.</summary>
    public IReadOnlyList<string> RequestLines
    {
        get
        {
            lock (_requestLines)
            {
                return _requestLines.ToList();
            }
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = Task.Run(() => ServeAsync(client));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = await ReadHeadAsync(stream);
                lock (_requestLines)
                {
                    _requestLines.Add(head.Split("\r\n")[0]);
                }

                if (Interlocked.Decrement(ref _dropsLeft) >= 0)
                {
                    // No answer at all: a reset, as a server whose accept queue overflowed sends.
                    client.Client.LingerState = new LingerOption(true, 0);
                    client.Client.Close();
                    return;
                }

                await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray(), _stop.Token);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
            }
        }
    }

    private async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var buffer = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(buffer, _stop.Token) == 0)
            {
                break;
            }

            head.Append((char)buffer[0]);
        }

        return head.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
