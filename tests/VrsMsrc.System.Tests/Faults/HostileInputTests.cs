using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Dapper;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using VrsMsrc.Contracts.Security;
using VrsMsrc.Contracts.V1;
using VrsMsrc.System.Tests.Infrastructure;

namespace VrsMsrc.System.Tests.Faults;

/// <summary>A hub process and an enrolled node whose certificate the hostile inputs are sent with.</summary>
public sealed class HostileHub : IAsyncLifetime
{
    internal HubProcess Hub { get; private set; } = null!;
    internal TestNode Node { get; private set; } = null!;

    /// <summary>Releases the hub accepted so far: only the proper one a test sends on purpose.</summary>
    internal int Accepted { get; set; }

    public async Task InitializeAsync()
    {
        Hub = await HubProcess.StartAsync();
        Node = TestNode.Enrolled(Hub, "ITA");
    }

    public Task DisposeAsync()
    {
        Node.Dispose();
        Hub.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>
/// Malformed and hostile exchange input from an authenticated node (a compromised or broken one) and
/// from anyone who can reach the port: each is refused with a clear status, each refusal is in the
/// hub's log, nothing of it is stored, and the hub goes on serving.
/// </summary>
[Collection(FaultSuite.Name)]
[Trait("Category", "Fault")]
public sealed class HostileInputTests(HostileHub fixture) : IClassFixture<HostileHub>
{
    private static readonly TimeSpan LogWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Every call here has a deadline: once in a clean-clone run a call in this class never completed (the hub
    /// was idle, the client's call lost), and without one that hangs the whole test run instead of failing a test.
    /// </summary>
    private static DateTime Deadline => DateTime.UtcNow.AddMinutes(1);

    private HubProcess Hub => fixture.Hub;

    /// <summary>
    /// A client with the node's certificate but none of the node's manners: no send size limit, so that
    /// what reaches the hub is exactly what the test wrote.
    /// </summary>
    private Exchange.ExchangeClient Client(out IDisposable channel)
    {
        var grpc = GrpcChannel.ForAddress(Hub.ExchangeUrl, new GrpcChannelOptions { HttpHandler = NodeHandler(), MaxSendMessageSize = null });
        channel = grpc;
        return new Exchange.ExchangeClient(grpc);
    }

    private SocketsHttpHandler NodeHandler()
    {
        var paths = fixture.Node.Paths;
        var ca = RegionalTrust.LoadCertificate(paths.CaCertificate);
        return new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [RegionalTrust.LoadWithKey(paths.Certificate, paths.Key)],
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is X509Certificate2 hub && RegionalTrust.ChainError(hub, ca, DateTimeOffset.UtcNow, RegionalTrust.ServerAuth) is null,
            },
        };
    }

    /// <summary>Pushes <paramref name="chunks"/> as they are and returns the hub's refusal.</summary>
    private async Task<RpcException> PushAsync(params PushChunk[] chunks)
    {
        var client = Client(out var channel);
        using (channel)
        {
            using var call = client.Push(deadline: Deadline);
            try
            {
                foreach (var chunk in chunks)
                {
                    await call.RequestStream.WriteAsync(chunk);
                }

                await call.RequestStream.CompleteAsync();
            }
            catch (RpcException)
            {
                // The hub ended the call before the test finished writing; its status follows.
            }

            return await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseAsync);
        }
    }

    /// <summary>Pushes <paramref name="chunks"/> as a node would and returns the hub's receipt; a release it accepted is counted as stored.</summary>
    private async Task<PushReceipt> AcceptedAsync(params PushChunk[] chunks)
    {
        var client = Client(out var channel);
        using (channel)
        {
            using var call = client.Push(deadline: Deadline);
            foreach (var chunk in chunks)
            {
                await call.RequestStream.WriteAsync(chunk);
            }

            await call.RequestStream.CompleteAsync();
            var receipt = await call.ResponseAsync;
            if (receipt.Status == PushReceipt.Types.Status.Accepted)
            {
                fixture.Accepted++;
            }

            return receipt;
        }
    }

    private static PushChunk[] Chunks(byte[] payload, string? releaseId = null, long? totalBytes = null, byte[]? sha256 = null) =>
    [
        new PushChunk
        {
            ReleaseId = releaseId ?? Guid.CreateVersion7().ToString(),
            Sha256 = ByteString.CopyFrom(sha256 ?? SHA256.HashData(payload)),
            TotalBytes = totalBytes ?? payload.Length,
            Data = ByteString.CopyFrom(payload),
        },
    ];

    private static Release Release(string month = "2024-05", string table = "flows", params string[] dims) =>
        new()
        {
            ReleaseId = Guid.CreateVersion7().ToString(),
            State = "ITA",
            SchemaVersion = 1,
            CreatedAt = DateTimeOffset.UtcNow.ToString("O"),
            Months =
            {
                new MonthRelease
                {
                    Month = month,
                    Version = 1,
                    Tables = { new TableCells { Table = table, Cells = { new Cell { Measure = "migrants", Value = 20, Dims = { dims.Length > 0 ? dims : ["SYR", "sea", "at_sea", "central_mediterranean"] } } } } },
                },
            },
        };

    private static PushChunk[] Chunks(Release release) => Chunks(release.ToByteArray(), release.ReleaseId);

    /// <summary>A proper push of <paramref name="payload"/> cut into chunks of <paramref name="size"/> bytes.</summary>
    private static PushChunk[] Chunks(byte[] payload, string releaseId, int size) =>
    [
        .. Chunks(payload[..size], releaseId, payload.Length, SHA256.HashData(payload)),
        .. payload[size..].Chunk(size).Select(data => new PushChunk { Data = ByteString.CopyFrom(data) }),
    ];

    /// <summary>The refusal is logged, nothing was stored, and the hub answers the next caller.</summary>
    private async Task AssertRefusedAndServingAsync(string logged)
    {
        await Hub.WaitForLogAsync(logged, LogWait);
        using (var connection = Hub.Database.Open(readOnly: true))
        {
            Assert.Equal(fixture.Accepted, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM releases"));
        }

        var client = Client(out var channel);
        using (channel)
        {
            var hello = await client.HelloAsync(new HelloRequest { SchemaVersion = 1, SoftwareVersion = "test" }, deadline: Deadline);
            Assert.Equal("ITA", hello.State);
        }
    }

    [Fact]
    public async Task Random_bytes_as_a_release_are_not_a_release()
    {
        var random = new byte[4096];
        new Random(1).NextBytes(random);

        var refused = await PushAsync(Chunks(random));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("is not a valid release message", refused.Status.Detail, StringComparison.Ordinal);
        await AssertRefusedAndServingAsync("is not a valid release message");
    }

    [Fact]
    public async Task Random_bytes_in_place_of_a_grpc_message_are_refused()
    {
        var random = new byte[600];
        new Random(2).NextBytes(random);
        random[0] = 0xFF; // field 31, wire type 7: no protobuf message starts like this

        var (status, detail) = await RawPushAsync(Frame(random));

        Assert.Equal(StatusCode.InvalidArgument, status);
        Assert.StartsWith("after 0 bytes of release data the push carries a message that is no push chunk", detail, StringComparison.Ordinal);
        await AssertRefusedAndServingAsync("the push carries a message that is no push chunk");
    }

    [Fact]
    public async Task A_grpc_message_cut_short_is_refused()
    {
        var chunk = Chunks(new byte[100])[0].ToByteArray();
        var frame = Frame(chunk);

        var (status, detail) = await RawPushAsync(frame[..(frame.Length / 2)]);

        // gRPC's own framing check, before the message reaches the exchange service.
        Assert.Equal(StatusCode.Internal, status);
        Assert.Contains("Incomplete message", detail, StringComparison.Ordinal);
        await AssertRefusedAndServingAsync("Incomplete message");
    }

    [Fact]
    public async Task A_release_that_ends_before_its_announced_size_is_refused()
    {
        var payload = Release().ToByteArray();

        var refused = await PushAsync(Chunks(payload[..(payload.Length / 2)], totalBytes: payload.Length, sha256: SHA256.HashData(payload)));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Matches(@"ended after \d+ of \d+ bytes", refused.Status.Detail);
        await AssertRefusedAndServingAsync($"ended after {payload.Length / 2} of {payload.Length} bytes");
    }

    [Fact]
    public async Task A_push_the_node_abandons_half_way_leaves_nothing()
    {
        var release = Release();
        var payload = release.ToByteArray();
        var client = Client(out var channel);
        using (channel)
        {
            using var cancel = new CancellationTokenSource();
            using var call = client.Push(deadline: Deadline, cancellationToken: cancel.Token);
            var first = Chunks(payload[..10], release.ReleaseId, payload.Length, SHA256.HashData(payload))[0];
            await call.RequestStream.WriteAsync(first);
            await Hub.WaitForLogAsync("Hello from ITA", LogWait);
            await Task.Delay(200);
            await cancel.CancelAsync();
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseAsync);
            Assert.Equal(StatusCode.Cancelled, refused.StatusCode);
        }

        await AssertRefusedAndServingAsync($"broke off after 10 bytes of release {release.ReleaseId}");
    }

    [Fact]
    public async Task A_message_over_the_size_limit_is_refused_before_it_is_read()
    {
        var refused = await PushAsync(Chunks(new byte[5 << 20]));

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Equal("Received message exceeds the maximum configured message size.", refused.Status.Detail);
        await AssertRefusedAndServingAsync("Received message exceeds the maximum configured message size");
    }

    [Fact]
    public async Task A_release_announced_over_the_size_limit_is_refused_at_its_first_chunk()
    {
        var refused = await PushAsync(Chunks(new byte[16], totalBytes: 1L << 40));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal($"release size {1L << 40} bytes is outside 1..268435456", refused.Status.Detail);
        await AssertRefusedAndServingAsync($"release size {1L << 40} bytes is outside");
    }

    [Fact]
    public async Task A_release_sending_more_than_it_announced_is_refused()
    {
        var refused = await PushAsync(Chunks(new byte[64], totalBytes: 32));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        await AssertRefusedAndServingAsync("sends more than the 32 bytes it announced");
    }

    [Fact]
    public async Task A_release_whose_hash_does_not_match_is_refused()
    {
        var refused = await PushAsync(Chunks(Release().ToByteArray(), sha256: new byte[32]));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        await AssertRefusedAndServingAsync("SHA-256 of the payload does not match");
    }

    [Theory]
    [InlineData("2024-05", "passports", "2024-05 passports: not a table of the release catalogue")]
    [InlineData("2024-05", "flows", "2024-05 flows: unknown nationality code 'QQQ'")]
    [InlineData("2024-05", "flows", "2024-05 flows: unknown corridor code 'atlantis'")]
    [InlineData("2999-01", "flows", "month 2999-01 is in the future")]
    public async Task Releases_outside_the_catalogue_code_lists_or_calendar_are_refused(string month, string table, string reason)
    {
        var dims = reason.Contains("QQQ", StringComparison.Ordinal) ? new[] { "QQQ", "sea", "at_sea", "central_mediterranean" }
            : reason.Contains("atlantis", StringComparison.Ordinal) ? ["SYR", "sea", "at_sea", "atlantis"]
            : [];
        var release = Release(month, table, dims);

        var refused = await PushAsync(Chunks(release));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal($"release {release.ReleaseId}: {reason}", refused.Status.Detail);
        await AssertRefusedAndServingAsync($"Refused exchange call from ITA: InvalidArgument release {release.ReleaseId}: {reason}");
    }

    [Fact]
    public async Task A_release_in_many_small_chunks_is_refused_for_a_bad_code_in_its_last_month()
    {
        // The hub checks months on other threads while later chunks arrive: the last month's fault must still
        // be the one reported, and nothing of the months checked before it stored.
        var release = ManyMonths(lastNationality: "QQQ");

        var refused = await PushAsync(Chunks(release.ToByteArray(), release.ReleaseId, size: 300));

        var reason = $"release {release.ReleaseId}: 2024-12 flows: unknown nationality code 'QQQ'";
        Assert.Equal((StatusCode.InvalidArgument, reason), (refused.StatusCode, refused.Status.Detail));
        await AssertRefusedAndServingAsync($"Refused exchange call from ITA: InvalidArgument {reason}");
    }

    [Fact]
    public async Task A_release_in_many_small_chunks_is_stored_whole()
    {
        var release = ManyMonths(lastNationality: "AFG");

        var receipt = await AcceptedAsync(Chunks(release.ToByteArray(), release.ReleaseId, size: 300));

        Assert.Equal((PushReceipt.Types.Status.Accepted, 36), (receipt.Status, receipt.MonthsApplied));

        using var connection = Hub.Database.Open(readOnly: true);
        Assert.Equal(36, connection.ExecuteScalar<long>("SELECT COUNT(*) FROM month_cells WHERE release_id = @ReleaseId", new { release.ReleaseId }));
        Assert.Equal("AFG", connection.ExecuteScalar<string>("SELECT dim0 FROM cells WHERE state = 'ITA' AND month = '2024-12'"));
    }

    /// <summary>
    /// A release of the 36 months 2022-01 to 2024-12, a flows cell each, the last one's of <paramref name="lastNationality"/>;
    /// at a version above the other tests' releases, so that every month is applied.
    /// </summary>
    private static Release ManyMonths(string lastNationality)
    {
        var release = Release("2022-01");
        var template = release.Months[0];
        release.Months.Clear();
        for (var m = 0; m < 36; m++)
        {
            var month = template.Clone();
            month.Month = $"{2022 + (m / 12)}-{(m % 12) + 1:D2}";
            month.Version = 100;
            month.Tables[0].Cells[0].Dims[0] = m == 35 ? lastNationality : "SYR";
            release.Months.Add(month);
        }

        return release;
    }

    [Fact]
    public async Task Random_bytes_on_the_port_get_no_further_than_the_handshake()
    {
        var random = new byte[2048];
        new Random(3).NextBytes(random);
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Hub.ExchangePort));
            await socket.SendAsync(random);
            var buffer = new byte[1024];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            // The hub answers garbage with at most a TLS alert, then closes.
            while (await socket.ReceiveAsync(buffer, timeout.Token) > 0)
            {
            }
        }

        await AssertRefusedAndServingAsync("Failed to authenticate HTTPS connection");
    }

    [Fact]
    public async Task After_hostile_input_a_proper_release_is_still_accepted()
    {
        await Random_bytes_as_a_release_are_not_a_release();
        await A_message_over_the_size_limit_is_refused_before_it_is_read();

        var release = Release();

        var receipt = await AcceptedAsync(Chunks(release));

        Assert.Equal(PushReceipt.Types.Status.Accepted, receipt.Status);

        using var connection = Hub.Database.Open(readOnly: true);
        Assert.Equal(release.ReleaseId, connection.ExecuteScalar<string>("SELECT release_id FROM releases WHERE release_id = @ReleaseId", new { release.ReleaseId }));
    }

    /// <summary>A gRPC length-prefixed frame around <paramref name="message"/>.</summary>
    private static byte[] Frame(byte[] message)
    {
        var frame = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame, 5);
        return frame;
    }

    /// <summary>A Push call made by hand over HTTP/2 with the node's certificate, with whatever body the test wants.</summary>
    private async Task<(StatusCode Status, string Detail)> RawPushAsync(byte[] body)
    {
        using var handler = NodeHandler();
        using var http = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Hub.ExchangeUrl}/vrsmsrc.v1.Exchange/Push")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("TE", "trailers");
        using var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        var headers = response.TrailingHeaders.Concat(response.Headers).ToList();
        var status = headers.First(h => h.Key == "grpc-status").Value.Single();
        var message = headers.FirstOrDefault(h => h.Key == "grpc-message").Value?.SingleOrDefault() ?? "";
        return ((StatusCode)int.Parse(status, global::System.Globalization.CultureInfo.InvariantCulture), Uri.UnescapeDataString(message));
    }
}
