using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Streams.Broker;
using Streams.Contracts.Topics;

namespace Streams.Worker.Security;

/// <summary>
/// What the secured embedded broker (<see cref="SecurityOptions.Enabled"/>) and its clients share, kept in
/// <c>{DataDirectory}/security</c> and reused across restarts: the local CA (<c>ca.pem</c>), the broker's certificate
/// and key (<c>broker.pem</c>, owner-only), one generated password per SASL user (<c>credentials.json</c>, owner-only)
/// and <c>admin.properties</c> (owner-only), librdkafka settings of the super user for <c>kcat -F</c>. The embedded
/// registry's basic-auth users (<see cref="RegistryUsers"/>) get generated passwords too
/// (<c>registry-credentials.json</c>, owner-only), and <c>cli.properties</c> (owner-only) is <c>admin.properties</c>
/// plus the registry admin's <c>basic.auth.user.info</c>, for <c>streams --config</c>.
/// </summary>
public sealed class LocalSecurity
{
    /// <summary>The SASL mechanism of the secured listener.</summary>
    public const string Mechanism = "SCRAM-SHA-256";

    /// <summary>The super user's SASL name (principal <c>User:admin</c>).</summary>
    public const string AdminUser = "admin";

    /// <summary>The registry user the worker's own registry client (serdes, provisioning) authenticates as: registers and checks schemas.</summary>
    public const string RegistryWorkerUser = "streams-worker";

    /// <summary>A registry user that may only read (GET), for dashboards and people browsing schemas.</summary>
    public const string RegistryReaderUser = "viewer";

    private LocalSecurity(string directory, IReadOnlyDictionary<string, string> passwords, IReadOnlyDictionary<string, string> registryPasswords, bool certificateMade)
    {
        Directory = directory;
        Passwords = passwords;
        RegistryPasswords = registryPasswords;
        CertificateMade = certificateMade;
    }

    /// <summary>Where the files are.</summary>
    public string Directory { get; }

    /// <summary>The CA certificate clients trust (<c>ssl.ca.location</c>).</summary>
    public string CaPath => Path.Combine(Directory, "ca.pem");

    /// <summary>The broker's certificate chain and key (<c>ssl.keystore.location</c>).</summary>
    public string ServerCertificatePath => Path.Combine(Directory, "broker.pem");

    /// <summary>The generated passwords by SASL user name.</summary>
    public string CredentialsPath => Path.Combine(Directory, "credentials.json");

    /// <summary>The super user's client settings, for <c>kcat -F</c>.</summary>
    public string AdminPropertiesPath => Path.Combine(Directory, "admin.properties");

    /// <summary>The generated passwords by registry user name.</summary>
    public string RegistryCredentialsPath => Path.Combine(Directory, "registry-credentials.json");

    /// <summary>The super user's Kafka settings plus the registry admin's basic auth, for <c>streams --config</c>.</summary>
    public string CliPropertiesPath => Path.Combine(Directory, "cli.properties");

    /// <summary>The embedded registry's users and their roles: <c>admin</c> (everything), the worker (developer) and a reader (read-only).</summary>
    public static IReadOnlyDictionary<string, string> RegistryUsers { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [AdminUser] = "admin",
        [RegistryWorkerUser] = "developer",
        [RegistryReaderUser] = "read-only",
    };

    /// <summary>The password of every registry user (<see cref="RegistryUsers"/>).</summary>
    public IReadOnlyDictionary<string, string> RegistryPasswords { get; }

    /// <summary>The <c>user:password</c> of a registry user, as <c>basic.auth.user.info</c> takes it.</summary>
    public string RegistryUserInfo(string user) => user + ":" + RegistryPasswords[user];

    /// <summary>Whether the certificates were made by this start (rather than reused).</summary>
    public bool CertificateMade { get; }

    /// <summary>The password of every SASL user: <c>admin</c> and each service principal's user.</summary>
    public IReadOnlyDictionary<string, string> Passwords { get; }

    /// <summary>Every SASL user the secured broker has: the super user and one per service principal.</summary>
    public static IReadOnlyList<string> Users { get; } = [AdminUser, .. ServicePrincipals.All.Select(ServicePrincipals.UserName)];

    /// <summary>Reads the security material under <paramref name="dataDirectory"/>, making what is missing.</summary>
    public static LocalSecurity Ensure(string dataDirectory)
    {
        var directory = Path.Combine(Path.GetFullPath(dataDirectory), "security");
        System.IO.Directory.CreateDirectory(directory);
        var certificateMade = LocalCertificates.Ensure(Path.Combine(directory, "ca.pem"), Path.Combine(directory, "broker.pem"));
        var (passwords, madePasswords) = EnsurePasswords(Path.Combine(directory, "credentials.json"), Users);
        var (registryPasswords, madeRegistryPasswords) = EnsurePasswords(Path.Combine(directory, "registry-credentials.json"), [.. RegistryUsers.Keys]);
        var security = new LocalSecurity(directory, passwords, registryPasswords, certificateMade);
        if (madePasswords || certificateMade || !File.Exists(security.AdminPropertiesPath))
        {
            SecretFiles.Write(security.AdminPropertiesPath, security.ClientProperties(AdminUser));
        }

        if (madePasswords || madeRegistryPasswords || certificateMade || !File.Exists(security.CliPropertiesPath))
        {
            SecretFiles.Write(security.CliPropertiesPath, security.ClientProperties(AdminUser)
                + $"basic.auth.credentials.source=USER_INFO\nbasic.auth.user.info={security.RegistryUserInfo(AdminUser)}\n");
        }

        return security;
    }

    /// <summary>The passwords kept in <paramref name="path"/>, with one made for each user that has none (and the file rewritten then).</summary>
    private static (Dictionary<string, string> Passwords, bool Made) EnsurePasswords(string path, IReadOnlyList<string> users)
    {
        var passwords = File.Exists(path)
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path)) ?? []
            : [];
        var missing = users.Where(u => !passwords.ContainsKey(u)).ToList();
        foreach (var user in missing)
        {
            // URL-safe base64 of 24 random bytes: 192 bits, and no character that needs quoting in a properties file.
            passwords[user] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
        }

        if (missing.Count > 0)
        {
            SecretFiles.Write(path, JsonSerializer.Serialize(passwords, new JsonSerializerOptions { WriteIndented = true }));
        }

        return (passwords, missing.Count > 0);
    }

    /// <summary>The librdkafka settings that connect as <paramref name="user"/> (no bootstrap servers: the port may be chosen at start).</summary>
    public Dictionary<string, string> ClientSettings(string user) => new(StringComparer.Ordinal)
    {
        ["security.protocol"] = "SASL_SSL",
        ["sasl.mechanism"] = Mechanism,
        ["sasl.username"] = user,
        ["sasl.password"] = Passwords[user],
        ["ssl.ca.location"] = CaPath,
    };

    /// <summary>
    /// The broker side: one SASL_SSL listener on <paramref name="host"/>:<paramref name="port"/>, SCRAM only, the
    /// generated certificate, every user, and the ACL authorizer with <c>User:admin</c> as the super user.
    /// </summary>
    public void ConfigureBroker(BrokerOptions broker, string host, int port)
    {
        ArgumentNullException.ThrowIfNull(broker);
        broker.Settings["listeners"] = string.Create(CultureInfo.InvariantCulture, $"SASL_SSL://{host}:{port}");
        broker.Settings["ssl.keystore.location"] = ServerCertificatePath;
        broker.Settings["sasl.enabled.mechanisms"] = Mechanism;
        broker.Settings["authorizer.class.name"] = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";
        broker.Settings["super.users"] = "User:" + AdminUser;
        broker.Settings["allow.everyone.if.no.acl.found"] = "false";
        foreach (var user in Users)
        {
            broker.ScramUsers.Add($"{Mechanism}=[name={user},password={Passwords[user]}]");
        }
    }

    private string ClientProperties(string user)
    {
        var text = new StringBuilder("# librdkafka settings of the secured embedded broker's super user: kcat -b 127.0.0.1:9092 -F admin.properties -L\n");
        foreach (var (name, value) in ClientSettings(user))
        {
            text.Append(name).Append('=').Append(value).Append('\n');
        }

        return text.ToString();
    }
}
