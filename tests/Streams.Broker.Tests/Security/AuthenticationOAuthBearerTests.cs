using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Tests.Support;
using Xunit.Abstractions;
using ErrorCode = Confluent.Kafka.ErrorCode;
using static Streams.Broker.Tests.Security.Authorization.SecuredBroker;

namespace Streams.Broker.Tests.Security;

/// <summary>SASL OAUTHBEARER with unsecured JWTs, driven by librdkafka (Confluent.Kafka) and by raw frames.</summary>
public sealed class AuthenticationOAuthBearerTests(ITestOutputHelper output)
{
    private const string OAuthJaas =
        "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredValidatorRequiredScope=\"kafka\" unsecuredValidatorAllowableClockSkewMs=\"1000\";";

    private static Dictionary<string, string> Settings(params (string Name, string Value)[] extra)
    {
        var settings = new Dictionary<string, string>
        {
            ["listeners"] = "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
            ["listener.name.sasl_plaintext.sasl.enabled.mechanisms"] = "OAUTHBEARER",
            ["listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config"] = OAuthJaas,
        };
        foreach (var (name, value) in extra)
        {
            settings[name] = value;
        }

        return settings;
    }

    /// <summary>librdkafka makes the unsecured JWT itself from <c>sasl.oauthbearer.config</c>.</summary>
    private static void UnsecuredJwt(ClientConfig config, string oauthConfig)
    {
        config.SecurityProtocol = SecurityProtocol.SaslPlaintext;
        config.SaslMechanism = SaslMechanism.OAuthBearer;
        config.SaslOauthbearerConfig = oauthConfig;
        config.Set("enable.sasl.oauthbearer.unsecure.jwt", "true");
    }

    /// <summary>An unsecured JWT: base64url header and claims, then an empty signature.</summary>
    internal static string Jwt(object claims, string alg = "none")
    {
        static string Part(object value) => Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(value)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{Part(new { alg })}.{Part(claims)}.";
    }

    private static double Seconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds() / 1000.0;

    private static byte[] ClientFirst(string token) => Encoding.ASCII.GetBytes($"n,,\u0001auth=Bearer {token}\u0001\u0001");

    private static async Task<long> HighWatermarkAsync(string bootstrap, string topic)
    {
        using var admin = Clients.Admin(bootstrap);
        var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10));
        if (metadata.Topics.Single().Error.Code == ErrorCode.UnknownTopicOrPart)
        {
            return 0;
        }

        using var consumer = Clients.Consumer<string, string>(bootstrap);
        await Task.Yield();
        return consumer.QueryWatermarkOffsets(new TopicPartition(topic, 0), TimeSpan.FromSeconds(10)).High.Value;
    }

    /// <summary>Produces through a client whose login must fail; returns the error librdkafka reported.</summary>
    private static async Task<List<Error>> ProduceRefusedAsync(string bootstrap, string topic, Action<ProducerConfig> secure, Action<ProducerBuilder<string, string>>? builder = null)
    {
        var errors = new List<Error>();
        var config = new ProducerConfig { BootstrapServers = bootstrap, MessageTimeoutMs = 4000 };
        secure(config);
        var producerBuilder = new ProducerBuilder<string, string>(config).SetErrorHandler((_, e) => { lock (errors) { errors.Add(e); } });
        builder?.Invoke(producerBuilder);
        using var producer = producerBuilder.Build();
        var ex = await Assert.ThrowsAsync<ProduceException<string, string>>(() => producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = "must not be written" }));
        lock (errors)
        {
            errors.Add(ex.Error);
            return [.. errors];
        }
    }

    [Fact]
    public async Task Librdkafka_unsecured_jwt_produces_and_consumes_as_the_sub_principal()
    {
        await using var broker = await AuthenticationBroker.StartAsync(output, Settings());
        var bootstrap = broker.Bootstrap("SASL_PLAINTEXT");
        using (var producer = Clients.Producer<string, string>(bootstrap, c => UnsecuredJwt(c, "principal=alice scope=kafka lifeSeconds=600")))
        {
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(i, (await producer.ProduceAsync("oauth-topic", new Message<string, string> { Key = "k", Value = $"v{i}" })).Offset.Value);
            }
        }

        using var consumer = Clients.Consumer<string, string>(bootstrap, c => UnsecuredJwt(c, "principal=alice scope=kafka,other lifeSeconds=600"));
        consumer.Assign(new TopicPartitionOffset("oauth-topic", 0, Offset.Beginning));
        var values = new List<string>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (values.Count < 3 && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { IsPartitionEOF: false } result)
            {
                values.Add(result.Message.Value);
            }
        }

        Assert.Equal(["v0", "v1", "v2"], values);
        Assert.Contains(broker.Audit, line => line.Contains("Authentication succeeded: principal User:alice mechanism OAUTHBEARER", StringComparison.Ordinal));
        Assert.DoesNotContain(broker.Audit, line => line.Contains("Authentication failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Librdkafka_reauthenticates_with_a_fresh_token_before_the_old_one_expires()
    {
        await using var broker = await AuthenticationBroker.StartAsync(output, Settings());
        using var producer = Clients.Producer<string, string>(broker.Bootstrap("SASL_PLAINTEXT"), c => UnsecuredJwt(c, "principal=svc scope=kafka lifeSeconds=4"));

        // Over more than two token lifetimes: the broker ends each session at the token's exp, so every produce
        // succeeds only on a connection that re-authenticated with a newer token (or reconnected with one).
        var until = DateTime.UtcNow.AddSeconds(10);
        var count = 0;
        while (DateTime.UtcNow < until)
        {
            var delivered = await producer.ProduceAsync("oauth-reauth", new Message<string, string> { Key = "k", Value = $"v{count}" });
            Assert.Equal(count++, delivered.Offset.Value);
            await Task.Delay(200);
        }

        var logins = broker.Audit.Where(line => line.Contains("Authentication succeeded: principal User:svc mechanism OAUTHBEARER", StringComparison.Ordinal))
            .GroupBy(line => line[line.LastIndexOf(" client ", StringComparison.Ordinal)..])
            .Max(g => g.Count());
        Assert.True(logins >= 2, $"expected re-authentications on one connection, saw at most {logins} logins per connection");
        Assert.DoesNotContain(broker.Audit, line => line.Contains("Authentication failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Acls_apply_to_the_user_named_by_the_sub_claim()
    {
        await using var broker = await AuthenticationBroker.StartAsync(output, Settings(("authorizer.class.name", AuthorizerClass), ("super.users", Anonymous)));
        var plaintext = broker.Bootstrap("PLAINTEXT");
        using (var admin = Clients.Admin(plaintext))
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = "alice-out", NumPartitions = 1 }, new TopicSpecification { Name = "secret", NumPartitions = 1 }]);
            await admin.CreateAclsAsync([Allow(ResourceType.Topic, "alice-out", AclOperation.Write, principal: "User:alice")]);
        }

        var bootstrap = broker.Bootstrap("SASL_PLAINTEXT");
        using (var alice = Clients.Producer<string, string>(bootstrap, c => UnsecuredJwt(c, "principal=alice scope=kafka")))
        {
            Assert.Equal(0, (await alice.ProduceAsync("alice-out", new Message<string, string> { Key = "k", Value = "allowed" })).Offset.Value);
        }

        var asAlice = await ProduceRefusedAsync(bootstrap, "secret", c => UnsecuredJwt(c, "principal=alice scope=kafka"));
        Assert.Contains(asAlice, e => e.Code == ErrorCode.TopicAuthorizationFailed);
        var asBob = await ProduceRefusedAsync(bootstrap, "alice-out", c => UnsecuredJwt(c, "principal=bob scope=kafka"));
        Assert.Contains(asBob, e => e.Code == ErrorCode.TopicAuthorizationFailed);

        Assert.Equal(0, await HighWatermarkAsync(plaintext, "secret"));
        Assert.Equal(1, await HighWatermarkAsync(plaintext, "alice-out"));
    }

    [Fact]
    public async Task A_token_without_the_required_scope_is_refused_and_nothing_is_written()
    {
        await using var broker = await AuthenticationBroker.StartAsync(output, Settings());
        var errors = await ProduceRefusedAsync(broker.Bootstrap("SASL_PLAINTEXT"), "scoped", c => UnsecuredJwt(c, "principal=alice scope=reports"));

        output.WriteLine(string.Join("\n", errors.Select(e => $"{e.Code}: {e.Reason}")));
        Assert.Contains(errors, e => e.Code == ErrorCode.Local_Authentication && e.Reason.Contains("insufficient_scope", StringComparison.Ordinal));
        Assert.Contains(broker.Audit, line => line.Contains("mechanism OAUTHBEARER", StringComparison.Ordinal) && line.Contains("lacks the required kafka", StringComparison.Ordinal));
        Assert.Equal(0, await HighWatermarkAsync(broker.Bootstrap("PLAINTEXT"), "scoped"));
    }

    [Theory]
    [InlineData("expired")]
    [InlineData("signed")]
    [InlineData("no-sub")]
    public async Task A_bad_token_from_the_refresh_handler_is_refused_with_the_reason(string kind)
    {
        await using var broker = await AuthenticationBroker.StartAsync(output, Settings());
        var now = DateTimeOffset.UtcNow;
        var (token, reason) = kind switch
        {
            "expired" => (Jwt(new { sub = "alice", scope = "kafka", iat = Seconds(now.AddMinutes(-10)), exp = Seconds(now.AddMinutes(-5)) }), "the token expired at"),
            "signed" => (Jwt(new { sub = "alice", scope = "kafka", exp = Seconds(now.AddMinutes(5)) }, "HS256")[..^1] + ".c2lnbmF0dXJl", "the token is signed"),
            _ => (Jwt(new { user = "alice", scope = "kafka", exp = Seconds(now.AddMinutes(5)) }), "has no 'sub' claim"),
        };

        var errors = await ProduceRefusedAsync(
            broker.Bootstrap("SASL_PLAINTEXT"),
            "refused",
            c => { c.SecurityProtocol = SecurityProtocol.SaslPlaintext; c.SaslMechanism = SaslMechanism.OAuthBearer; },
            b => b.SetOAuthBearerTokenRefreshHandler((client, _) => client.OAuthBearerSetToken(token, now.AddMinutes(5).ToUnixTimeMilliseconds(), "alice")));

        output.WriteLine(string.Join("\n", errors.Select(e => $"{e.Code}: {e.Reason}")));
        Assert.Contains(errors, e => e.Code == ErrorCode.Local_Authentication && e.Reason.Contains(reason, StringComparison.Ordinal) && e.Reason.Contains("invalid_token", StringComparison.Ordinal));
        Assert.Equal(0, await HighWatermarkAsync(broker.Bootstrap("PLAINTEXT"), "refused"));
    }

    [Fact]
    public async Task The_refresh_handler_token_logs_in_and_the_session_lasts_until_its_exp()
    {
        await using var broker = await AuthenticationBroker.StartAsync(output, Settings());
        var expires = DateTimeOffset.UtcNow.AddMinutes(10);
        var token = Jwt(new { sub = "carol", scope = new[] { "kafka" }, iat = Seconds(DateTimeOffset.UtcNow), exp = Seconds(expires) });
        var config = new ProducerConfig { BootstrapServers = broker.Bootstrap("SASL_PLAINTEXT"), SecurityProtocol = SecurityProtocol.SaslPlaintext, SaslMechanism = SaslMechanism.OAuthBearer };
        using (var producer = new ProducerBuilder<string, string>(config)
            .SetOAuthBearerTokenRefreshHandler((client, _) => client.OAuthBearerSetToken(token, expires.ToUnixTimeMilliseconds(), "carol"))
            .Build())
        {
            Assert.Equal(0, (await producer.ProduceAsync("carol-topic", new Message<string, string> { Key = "k", Value = "v" })).Offset.Value);
        }

        Assert.Contains(broker.Audit, line => line.Contains("Authentication succeeded: principal User:carol mechanism OAUTHBEARER", StringComparison.Ordinal));

        // The session the broker grants ends at the token's exp (no connections.max.reauth.ms is set).
        using var connection = await RawConnection.ConnectAsync(broker.Bootstrap("SASL_PLAINTEXT"));
        Assert.Equal(Broker.Protocol.ErrorCode.None, (await connection.SendAsync<SaslHandshakeRequest, SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = "OAUTHBEARER" }, 1))!.ErrorCode);
        var login = await connection.SendAsync<SaslAuthenticateRequest, SaslAuthenticateResponse>(new SaslAuthenticateRequest { AuthBytes = ClientFirst(token) }, 1);
        Assert.Equal(Broker.Protocol.ErrorCode.None, login!.ErrorCode);
        Assert.Equal(0, login.AuthBytes.Length);
        var expected = expires.ToUnixTimeMilliseconds() - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.InRange(login.SessionLifetimeMs, expected - 60_000, expected + 1_000);
    }

    [Fact]
    public async Task An_invalid_token_gets_the_json_error_then_fails_after_the_clients_0x01_over_raw_frames()
    {
        await using var broker = await AuthenticationBroker.StartAsync(output, Settings());
        var baseline = broker.Broker.OpenConnections;
        var expired = Jwt(new { sub = "alice", scope = "kafka", exp = Seconds(DateTimeOffset.UtcNow.AddSeconds(-5)) });
        using (var connection = await RawConnection.ConnectAsync(broker.Bootstrap("SASL_PLAINTEXT")))
        {
            Assert.Equal(Broker.Protocol.ErrorCode.None, (await connection.SendAsync<SaslHandshakeRequest, SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = "OAUTHBEARER" }, 1))!.ErrorCode);
            var first = await connection.SendAsync<SaslAuthenticateRequest, SaslAuthenticateResponse>(new SaslAuthenticateRequest { AuthBytes = ClientFirst(expired) }, 2);
            Assert.Equal(Broker.Protocol.ErrorCode.None, first!.ErrorCode);
            Assert.Equal("{\"status\":\"invalid_token\"}", Encoding.UTF8.GetString(first.AuthBytes.Span));

            var last = await connection.SendAsync<SaslAuthenticateRequest, SaslAuthenticateResponse>(new SaslAuthenticateRequest { AuthBytes = new byte[] { 0x01 } }, 2);
            Assert.Equal(Broker.Protocol.ErrorCode.SaslAuthenticationFailed, last!.ErrorCode);
            Assert.Contains("the token expired at", last.ErrorMessage, StringComparison.Ordinal);
            Assert.True(await connection.IsClosedByBrokerAsync());
        }

        using (var connection = await RawConnection.ConnectAsync(broker.Bootstrap("SASL_PLAINTEXT")))
        {
            await connection.SendAsync<SaslHandshakeRequest, SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = "OAUTHBEARER" }, 1);
            var noScope = Jwt(new { sub = "alice", scope = "reports", exp = Seconds(DateTimeOffset.UtcNow.AddMinutes(5)) });
            var first = await connection.SendAsync<SaslAuthenticateRequest, SaslAuthenticateResponse>(new SaslAuthenticateRequest { AuthBytes = ClientFirst(noScope) }, 2);
            Assert.Equal("{\"status\":\"insufficient_scope\", \"scope\":\"kafka\"}", Encoding.UTF8.GetString(first!.AuthBytes.Span));
            Assert.Equal(Broker.Protocol.ErrorCode.SaslAuthenticationFailed, (await connection.SendAsync<SaslAuthenticateRequest, SaslAuthenticateResponse>(new SaslAuthenticateRequest { AuthBytes = new byte[] { 0x01 } }, 2))!.ErrorCode);
            Assert.True(await connection.IsClosedByBrokerAsync());
        }

        using (var connection = await RawConnection.ConnectAsync(broker.Bootstrap("SASL_PLAINTEXT")))
        {
            // Not RFC 7628's framing (no 0x01 separators): refused at once.
            await connection.SendAsync<SaslHandshakeRequest, SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = "OAUTHBEARER" }, 1);
            var garbled = await connection.SendAsync<SaslAuthenticateRequest, SaslAuthenticateResponse>(new SaslAuthenticateRequest { AuthBytes = Encoding.ASCII.GetBytes("n,,auth=Bearer x") }, 2);
            Assert.Equal(Broker.Protocol.ErrorCode.SaslAuthenticationFailed, garbled!.ErrorCode);
            Assert.Contains("Invalid OAUTHBEARER client first message", garbled.ErrorMessage, StringComparison.Ordinal);
            Assert.True(await connection.IsClosedByBrokerAsync());
        }

        await broker.AssertConnectionsBackToAsync(baseline);
        Assert.Equal(3, broker.Audit.Count(line => line.Contains("Authentication failed", StringComparison.Ordinal) && line.Contains("OAUTHBEARER", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_session_is_the_shorter_of_the_tokens_life_and_connections_max_reauth_ms_and_an_authzid_must_match()
    {
        await using var broker = await AuthenticationBroker.StartAsync(output, Settings(("listener.name.sasl_plaintext.connections.max.reauth.ms", "5000")));
        var token = Jwt(new { sub = "alice", scope = "kafka", exp = Seconds(DateTimeOffset.UtcNow.AddHours(1)) });
        using (var connection = await RawConnection.ConnectAsync(broker.Bootstrap("SASL_PLAINTEXT")))
        {
            await connection.SendAsync<SaslHandshakeRequest, SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = "OAUTHBEARER" }, 1);
            var login = await connection.SendAsync<SaslAuthenticateRequest, SaslAuthenticateResponse>(new SaslAuthenticateRequest { AuthBytes = ClientFirst(token) }, 1);
            Assert.Equal(Broker.Protocol.ErrorCode.None, login!.ErrorCode);
            Assert.Equal(5000, login.SessionLifetimeMs);
        }

        using (var connection = await RawConnection.ConnectAsync(broker.Bootstrap("SASL_PLAINTEXT")))
        {
            await connection.SendAsync<SaslHandshakeRequest, SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = "OAUTHBEARER" }, 1);
            var message = Encoding.ASCII.GetBytes($"n,a=mallory,\u0001auth=Bearer {token}\u0001\u0001");
            var login = await connection.SendAsync<SaslAuthenticateRequest, SaslAuthenticateResponse>(new SaslAuthenticateRequest { AuthBytes = message }, 1);
            Assert.Equal(Broker.Protocol.ErrorCode.SaslAuthenticationFailed, login!.ErrorCode);
            Assert.Contains("authorization id (mallory)", login.ErrorMessage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_bad_validator_option_is_refused_at_start_with_a_clear_message()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => AuthenticationBroker.StartAsync(output, Settings(
            ("listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config", "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredValidatorAllowableClockSkewMs=\"-5\";"))));
        Assert.Contains("unsecuredValidatorAllowableClockSkewMs", ex.Message, StringComparison.Ordinal);
    }
}
