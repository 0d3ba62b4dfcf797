using Streams.Broker;

namespace Streams.Cli.Tests.Support;

/// <summary>
/// An embedded broker with authorization on (Kafka's StandardAuthorizer name, no ACL means no access) and two
/// listeners: PLAINTEXT, where the CLI connects as ANONYMOUS, made a super user so it can administer ACLs and users as
/// an operator's admin principal would; and SASL_PLAINTEXT with SCRAM, where the users the tests create log in.
/// </summary>
public sealed class SecuredClusterFixture : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "streams-cli-tests", Guid.NewGuid().ToString("N"));
    private KafkaBroker _broker = null!;

    /// <summary>The PLAINTEXT listener (ANONYMOUS, a super user).</summary>
    public string Bootstrap => _broker.BootstrapServersFor("PLAINTEXT");

    /// <summary>The SASL_PLAINTEXT listener (SCRAM-SHA-256 and SCRAM-SHA-512).</summary>
    public string SaslBootstrap => _broker.BootstrapServersFor("SASL_PLAINTEXT");

    public async Task InitializeAsync()
    {
        var options = new BrokerOptions { Port = 0, DataDirectory = _dataDirectory };
        options.Settings["listeners"] = "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0";
        options.Settings["sasl.enabled.mechanisms"] = "SCRAM-SHA-256,SCRAM-SHA-512";
        options.Settings["authorizer.class.name"] = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";
        options.Settings["super.users"] = "User:ANONYMOUS;User:admin";
        options.Settings["allow.everyone.if.no.acl.found"] = "false";
        _broker = await KafkaBroker.StartAsync(options);
    }

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Runs <c>streams</c> in-process against the PLAINTEXT listener, as the super user.</summary>
    public Task<CliRun> RunAsync(params string[] args) => RunOnAsync(Bootstrap, null, args);

    /// <summary>Runs <c>streams</c> in-process against <paramref name="bootstrap"/>, with <paramref name="input"/> on standard input.</summary>
    public async Task<CliRun> RunOnAsync(string bootstrap, string? input, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var reader = input is null ? null : new StringReader(input);
        var exitCode = await StreamsCli.RunAsync([.. args, "--bootstrap", bootstrap], output, error, reader);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }
}

[CollectionDefinition(Name)]
public sealed class SecuredClusterCollection : ICollectionFixture<SecuredClusterFixture>
{
    public const string Name = "secured cluster";
}
