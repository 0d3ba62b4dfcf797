using System.Text;
using Confluent.Kafka;
using Streams.Registry.Hosting;
using Streams.Registry.Security;
using Streams.Registry.Storage;
using Streams.Registry.Tests.Support;

namespace Streams.Registry.Tests.Security;

/// <summary>Users, password hashes, TLS and Kafka client settings as configured, checked before anything serves.</summary>
public sealed class SecurityConfigurationTests
{
    [Fact]
    public void A_pbkdf2_hash_verifies_its_password_only_and_never_contains_it()
    {
        var hash = PasswordHash.Create("s3cret-pass", 1000);
        Assert.StartsWith("pbkdf2:1000:", hash, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", hash, StringComparison.Ordinal);
        Assert.True(PasswordHash.Verify(hash, "s3cret-pass"u8));
        Assert.False(PasswordHash.Verify(hash, "s3cret-pasS"u8));
        Assert.False(PasswordHash.Verify(hash, ""u8));
        Assert.NotEqual(hash, PasswordHash.Create("s3cret-pass", 1000));
        Assert.True(PasswordHash.Verify("plain", "plain"u8));
        Assert.False(PasswordHash.Verify("plain", "plain "u8));
    }

    [Fact]
    public void Users_file_reads_confluent_style_lines_and_keeps_the_strongest_known_role()
    {
        var users = UsersFile.Parse(
            [
                "# comment",
                "",
                "fred: fred-pass,user,admin",
                "barney = barney-pass, user, developer",
                "betty: " + PasswordHash.Create("betty-pass", 1000) + ",user",
            ],
            "users.properties");

        Assert.Equal(
            [("fred", "admin"), ("barney", "developer"), ("betty", "read-only")],
            users.Select(u => (u.Name, u.Role)));
        Assert.Equal("barney-pass", users[1].Password);
        var store = new UserStore(users);
        Assert.Equal(("betty", RegistryRole.ReadOnly), store.Authenticate("betty:betty-pass"u8, out _));
        Assert.Null(store.Authenticate("betty:fred-pass"u8, out var claimed));
        Assert.Equal("betty", claimed);
    }

    [Theory]
    [InlineData("fred: OBF:1w8t1tvf1w261w8v,admin", "OBF")]
    [InlineData("fred: MD5:164c88b302622e17050af52c89945d44,admin", "MD5")]
    [InlineData("fred: pass,manager", "none of the roles")]
    [InlineData("fred: ,admin", "no password")]
    [InlineData("just-a-name", "expected")]
    public void Users_file_refuses_weak_hashes_unknown_roles_and_malformed_lines(string line, string reason)
    {
        var error = Assert.Throws<FormatException>(() => UsersFile.Parse([line], "users.properties"));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Contains("users.properties:1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validator_names_bad_users_and_tls_settings()
    {
        var validator = new SchemaRegistryOptionsValidator();
        var options = new SchemaRegistryOptions { KafkaBootstrapServers = "localhost:9092" };
        options.Users.Add(new RegistryUser { Name = "a:b", Password = "x", Role = "admin" });
        options.Users.Add(new RegistryUser { Name = "nopass", Password = "", Role = "admin" });
        options.Users.Add(new RegistryUser { Name = "badrole", Password = "x", Role = "owner" });
        options.Users.Add(new RegistryUser { Name = "badhash", Password = "pbkdf2:many:salt:hash", Role = "admin" });
        options.Listen = "https://127.0.0.1:0";

        var failures = string.Join('\n', validator.Validate(null, options).Failures!);
        Assert.Contains("Name without ':'", failures, StringComparison.Ordinal);
        Assert.Contains("'nopass' needs a Password", failures, StringComparison.Ordinal);
        Assert.Contains("'badrole' has Role 'owner'", failures, StringComparison.Ordinal);
        Assert.Contains("'badhash': a pbkdf2 hash", failures, StringComparison.Ordinal);
        Assert.Contains("Tls.CertificatePath", failures, StringComparison.Ordinal);

        var plain = new SchemaRegistryOptions { KafkaBootstrapServers = "localhost:9092", Listen = "http://127.0.0.1:0" };
        plain.Tls.ClientAuthentication = RegistryClientAuthentication.Required;
        Assert.Contains("need an https:// Listen", string.Join('\n', validator.Validate(null, plain).Failures!), StringComparison.Ordinal);
        plain.Tls.ClientAuthentication = RegistryClientAuthentication.None;
        Assert.True(validator.Validate(null, plain).Succeeded);
    }

    [Fact]
    public void Every_kafka_client_of_the_registry_gets_the_configured_settings()
    {
        var options = new SchemaRegistryOptions { KafkaBootstrapServers = "broker:9093" };
        options.KafkaSettings["security.protocol"] = "SASL_SSL";
        options.KafkaSettings["sasl.mechanism"] = "SCRAM-SHA-256";
        options.KafkaSettings["sasl.username"] = "registry";
        options.KafkaSettings["sasl.password"] = "registry-secret";
        options.KafkaSettings["ssl.ca.location"] = "/etc/ca.pem";

        ClientConfig[] configs = [KafkaClientConfigs.Admin(options), KafkaClientConfigs.Producer(options), KafkaClientConfigs.Consumer(options)];
        foreach (var config in configs)
        {
            Assert.Equal("SASL_SSL", config.Get("security.protocol"));
            Assert.Equal("SCRAM-SHA-256", config.Get("sasl.mechanism"));
            Assert.Equal(("registry", "registry-secret"), (config.SaslUsername, config.SaslPassword));
            Assert.Equal("/etc/ca.pem", config.SslCaLocation);
            Assert.Equal("broker:9093", config.BootstrapServers);
        }
    }

    [Fact]
    public void Kafka_set_arguments_split_at_the_first_equals_sign()
    {
        Assert.Equal(
            [new("security.protocol", "SASL_SSL"), new("sasl.jaas.config", "a=b c=d")],
            KafkaSettingArguments.Parse(["security.protocol=SASL_SSL", "sasl.jaas.config=a=b c=d"]));
        Assert.Throws<FormatException>(() => KafkaSettingArguments.Parse(["security.protocol"]).ToList());
        Assert.Throws<FormatException>(() => KafkaSettingArguments.Parse(["=x"]).ToList());
    }

    [Fact]
    public async Task Kafka_settings_reach_the_registrys_clients_a_sasl_client_cannot_use_a_plaintext_broker()
    {
        // The embedded broker here speaks PLAINTEXT only: a registry told to use SASL must fail to start rather than
        // quietly connect without it.
        await using var server = await RegistryServer.StartAsync();
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => server.StartRegistryAsync(o =>
        {
            o.KafkaTimeout = TimeSpan.FromSeconds(5);
            o.KafkaSettings["security.protocol"] = "SSL";
        }));
        Assert.IsNotType<InvalidOperationException>(failure);
    }

    [Fact]
    public async Task The_single_user_shorthand_is_an_admin()
    {
        await using var server = await RegistryServer.StartAsync(o => (o.BasicAuthUser, o.BasicAuthPassword) = ("root", PasswordHash.Create("root-secret", 1000)));
        using var http = server.Http();
        http.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("root:root-secret")));
        var subject = TestSchemas.Subject();
        Assert.Equal(200, (await RegistryHttp.PostAsync(http, $"/subjects/{subject}/versions", RegistryHttp.SchemaBody(TestSchemas.User))).Status);
        Assert.Equal(200, (await RegistryHttp.DeleteAsync(http, $"/subjects/{subject}")).Status);
    }
}
