using System.Net;
using System.Net.Sockets;
using System.Text;
using BlueGreen.Cli.Demo;
using BlueGreen.Testing;

namespace BlueGreen.Cli.Tests;

/// <summary>
/// The demos' load: after <see cref="LoadGenerator.StopAsync"/> every request sent is counted, answered or failed; one
/// hung by the last switch is a failure, never a request left out of the count. Against a raw socket that answers
/// when the test says so, or never.
/// </summary>
public sealed class LoadGeneratorTests
{
    [Fact]
    public async Task A_request_still_unanswered_at_the_stop_deadline_counts_as_failed()
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        await using var load = new LoadGenerator([UrlOf(server)], keepAliveClients: 1, newConnectionClients: 0, maxDuration: TimeSpan.FromMinutes(5));
        using var connection = await server.AcceptTcpClientAsync(); // the request is on its way; nothing ever answers it
        await ReadRequestAsync(connection);

        await load.StopAsync(TimeSpan.FromMilliseconds(200));

        Assert.Equal(1, load.Sent);
        Assert.Equal(1, load.Failed);
        Assert.Equal(1, load.FailedAt(0));
        Assert.Contains("no answer by the load's stop deadline", Assert.Single(load.FailureSamples));
    }

    [Fact]
    public async Task A_request_answered_while_the_load_stops_is_counted_and_no_new_one_is_sent()
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        await using var load = new LoadGenerator([UrlOf(server)], keepAliveClients: 1, newConnectionClients: 0, maxDuration: TimeSpan.FromMinutes(5));
        using var connection = await server.AcceptTcpClientAsync();
        await ReadRequestAsync(connection);

        var stopping = load.StopAsync(TimeSpan.FromMinutes(1)); // no new request from here on
        var body = "hello from version=v2 slot=b";
        await connection.GetStream().WriteAsync(Encoding.ASCII.GetBytes(
            $"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}"));
        await stopping;

        Assert.Equal(1, load.Sent);
        Assert.Equal(0, load.Failed);
        Assert.NotNull(load.FirstSeen("version=v2"));
    }

    private static Uri UrlOf(TcpListener server) => new($"http://127.0.0.1:{((IPEndPoint)server.LocalEndpoint).Port}/");

    /// <summary>Reads one request's head (a GET has no body).</summary>
    private static async Task ReadRequestAsync(TcpClient connection)
    {
        var stream = connection.GetStream();
        var head = new StringBuilder();
        var buffer = new byte[1024];
        using var deadline = new CancellationTokenSource(Poll.Deadline);
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, deadline.Token);
            Assert.True(read > 0, $"the connection closed before a whole request: {head}");
            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
    }
}
