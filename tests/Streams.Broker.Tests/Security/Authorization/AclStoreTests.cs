using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Streams.Broker.Protocol;
using Streams.Broker.Security;
using Streams.Broker.Security.Authorization;

namespace Streams.Broker.Tests.Security.Authorization;

/// <summary>The authorizer's own rules around the snapshot: persistence, super users and the audit log.</summary>
public sealed class AclStoreTests : IDisposable
{
    private readonly string _meta = Path.Combine(Path.GetTempPath(), "streams-acl-tests", Guid.NewGuid().ToString("N"));

    private static readonly AclBinding ReadOrders = new(AclResourceType.Topic, "orders", AclPatternType.Literal, "User:alice", "*", AclOperation.Read, AclPermissionType.Allow);

    public void Dispose()
    {
        if (Directory.Exists(_meta))
        {
            Directory.Delete(_meta, recursive: true);
        }
    }

    private AclAuthorizer Authorizer(string superUsers = "", ILoggerFactory? logs = null) =>
        new(AuthorizerSettings.Parse("kafka.security.authorizer.AclAuthorizer", superUsers, false), _meta, logs ?? NullLoggerFactory.Instance);

    [Fact]
    public void Acls_survive_a_new_authorizer_on_the_same_directory_and_deletes_too()
    {
        var first = Authorizer();
        var deny = ReadOrders with { Permission = AclPermissionType.Deny, Principal = "User:bob" };
        Assert.All(first.Create([ReadOrders, deny, ReadOrders]), Assert.Null);
        first.Delete([new AclBindingFilter(AclResourceType.Any, null, AclPatternType.Any, "User:bob", null, AclOperation.Any, AclPermissionType.Any)]);

        var second = Authorizer();

        Assert.Equal([ReadOrders], second.Acls);
        Assert.False(File.Exists(Path.Combine(_meta, "acls.json.tmp")));
    }

    [Fact]
    public void A_damaged_acl_file_stops_the_start_instead_of_dropping_the_rules()
    {
        Directory.CreateDirectory(_meta);
        File.WriteAllText(Path.Combine(_meta, "acls.json"), "[{\"resourceType\": \"Topic\", ");

        Assert.Throws<InvalidDataException>(() => Authorizer());
    }

    [Fact]
    public void Invalid_bindings_are_refused_one_by_one_and_the_valid_ones_stored()
    {
        var errors = Authorizer().Create([ReadOrders with { Principal = "alice" }, ReadOrders]);

        Assert.NotNull(errors[0]);
        Assert.Null(errors[1]);
        Assert.Equal([ReadOrders], Authorizer().Acls);
    }

    [Fact]
    public void Super_users_are_allowed_whatever_the_acls_say()
    {
        var authorizer = Authorizer("User:admin; User:ops");
        authorizer.Create([ReadOrders with { Principal = "User:*", Operation = AclOperation.All, Permission = AclPermissionType.Deny }]);

        Assert.True(authorizer.Authorize(KafkaPrincipal.User("ops"), "1.2.3.4", AclOperation.Write, AclResourceType.Topic, "orders", ApiKey.Produce));
        Assert.False(authorizer.Authorize(KafkaPrincipal.User("alice"), "1.2.3.4", AclOperation.Write, AclResourceType.Topic, "orders", ApiKey.Produce));
    }

    [Fact]
    public void A_malformed_super_user_is_a_configuration_error()
    {
        Assert.Throws<ArgumentException>(() => AuthorizerSettings.Parse("x", "User:admin;admin", false));
    }

    [Fact]
    public void A_denial_is_audited_in_Kafkas_form_under_its_logger_name()
    {
        var lines = new List<(string Category, LogLevel Level, string Message)>();
        using var logs = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new CapturingProvider(lines)));
        var authorizer = Authorizer(logs: logs);
        authorizer.Create([ReadOrders]);

        authorizer.Authorize(KafkaPrincipal.User("alice"), "1.2.3.4", AclOperation.Write, AclResourceType.Topic, "orders", ApiKey.Produce, refCount: 3);
        authorizer.Authorize(KafkaPrincipal.User("alice"), "1.2.3.4", AclOperation.Read, AclResourceType.Topic, "orders", ApiKey.Fetch);

        var audit = lines.Where(l => l.Category == SecurityAudit.AuthorizerCategory).ToList();
        Assert.Contains((SecurityAudit.AuthorizerCategory, LogLevel.Information,
            "Principal = User:alice is Denied operation = Write from host = 1.2.3.4 on resource = Topic:LITERAL:orders for request = Produce with resourceRefCount = 3"), audit);
        Assert.Contains((SecurityAudit.AuthorizerCategory, LogLevel.Debug,
            "Principal = User:alice is Allowed operation = Read from host = 1.2.3.4 on resource = Topic:LITERAL:orders for request = Fetch with resourceRefCount = 1"), audit);
    }

    private sealed class CapturingProvider(List<(string, LogLevel, string)> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Capturing(lines, categoryName);

        public void Dispose()
        {
        }

        private sealed class Capturing(List<(string, LogLevel, string)> lines, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (lines)
                {
                    lines.Add((category, logLevel, formatter(state, exception)));
                }
            }
        }
    }
}
