using System.Net.Http.Headers;
using System.Text;
using Confluent.SchemaRegistry;
using Streams.Registry.Security;

namespace Streams.Registry.Tests.Support;

/// <summary>
/// One registry requiring basic authentication, shared by a test class: <c>alice</c> admin (a pbkdf2 hash in the
/// options), <c>dave</c> developer (as is in the options), <c>rita</c> read-only (from a users file); the audit log captured.
/// </summary>
public sealed class SecuredRegistry : IAsyncLifetime
{
    public static readonly (string Name, string Password) Admin = ("alice", "alice-secret");
    public static readonly (string Name, string Password) Developer = ("dave", "dave-secret");
    public static readonly (string Name, string Password) ReadOnly = ("rita", "rita-secret");

    private readonly string _usersFile = Path.Combine(Path.GetTempPath(), $"streams-registry-users-{Guid.NewGuid():N}.properties");

    public RegistryServer Server { get; private set; } = null!;

    public CapturedLogs Logs { get; } = new();

    public async Task InitializeAsync()
    {
        await File.WriteAllLinesAsync(_usersFile, ["# name: password,role", $"{ReadOnly.Name}: {PasswordHash.Create(ReadOnly.Password, 1000)},user"]);
        Server = await RegistryServer.StartAsync(
            o =>
            {
                o.Users.Add(new RegistryUser { Name = Admin.Name, Password = PasswordHash.Create(Admin.Password, 1000), Role = "admin" });
                o.Users.Add(new RegistryUser { Name = Developer.Name, Password = Developer.Password, Role = "developer" });
                o.UsersFile = _usersFile;
                o.AuthenticationRealm = "Streams-Test";
            },
            Logs.Factory);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        File.Delete(_usersFile);
        Logs.Dispose();
    }

    public HttpClient Http((string Name, string Password) user)
    {
        var http = Server.Http();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user.Name}:{user.Password}")));
        return http;
    }

    public CachedSchemaRegistryClient Client((string Name, string Password) user) => Server.Client(c =>
    {
        c.BasicAuthCredentialsSource = AuthCredentialsSource.UserInfo;
        c.BasicAuthUserInfo = $"{user.Name}:{user.Password}";
    });
}
