using System.Security.Cryptography;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Streams.Operations.Users;

/// <summary>
/// SCRAM users through the admin client (DescribeUserScramCredentials, AlterUserScramCredentials), as
/// <c>kafka-configs.sh --entity-type users --alter --add-config SCRAM-SHA-256=[...]</c> manages them. The client
/// salts and hashes the password; only the salted password travels, never the password itself.
/// </summary>
public static class ScramUsers
{
    /// <summary>Kafka's bounds for SCRAM iterations (ScramMechanism's minIterations and maxIterations).</summary>
    public const int MinIterations = 4096;

    /// <summary>Kafka's upper bound for SCRAM iterations.</summary>
    public const int MaxIterations = 16384;

    /// <summary>The iteration count kafka-configs.sh uses when none is given.</summary>
    public const int DefaultIterations = 4096;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    // Clients whose "describe all" answer was lost (see DescribeAllAsync): referenced so no finalizer destroys them.
    private static readonly List<IAdminClient> LostClients = [];

    /// <summary>Reads a mechanism name as Kafka writes it (<c>SCRAM-SHA-256</c>, <c>SCRAM-SHA-512</c>; case-insensitive).</summary>
    /// <exception cref="InvalidRequestException">Not a SCRAM mechanism.</exception>
    public static ScramMechanism ParseMechanism(string value) => value?.Trim().ToUpperInvariant() switch
    {
        "SCRAM-SHA-256" => ScramMechanism.ScramSha256,
        "SCRAM-SHA-512" => ScramMechanism.ScramSha512,
        _ => throw new InvalidRequestException($"'{value}' is not a SCRAM mechanism: use SCRAM-SHA-256 or SCRAM-SHA-512."),
    };

    /// <summary>The mechanism as Kafka writes it.</summary>
    public static string Format(ScramMechanism mechanism) => mechanism switch
    {
        ScramMechanism.ScramSha256 => "SCRAM-SHA-256",
        ScramMechanism.ScramSha512 => "SCRAM-SHA-512",
        _ => mechanism.ToString(),
    };

    /// <summary>Every SCRAM user's credentials (the admin client is made for this call: see the remark).</summary>
    /// <remarks>
    /// Confluent.Kafka 2.16 loses an answer that lists no user at all (no SCRAM user exists): the call never completes,
    /// whatever the request timeout, and destroying the client while it is pending aborts the process (a librdkafka
    /// assertion). So the call gets its own client; when no answer comes in time, there are no users, and that client
    /// is kept alive, never disposed nor finalized, for the rest of the process.
    /// </remarks>
    /// <exception cref="OperationFailedException">The broker refused.</exception>
    public static async Task<List<ScramUser>> DescribeAllAsync(Func<IAdminClient> createAdmin)
    {
        ArgumentNullException.ThrowIfNull(createAdmin);
        var admin = createAdmin();
        try
        {
            var describe = admin.DescribeUserScramCredentialsAsync([], new DescribeUserScramCredentialsOptions { RequestTimeout = Timeout });
            var descriptions = (await describe.WaitAsync(Timeout).ConfigureAwait(false)).UserScramCredentialsDescriptions;
            admin.Dispose();
            return Users(descriptions);
        }
        catch (TimeoutException)
        {
            lock (LostClients)
            {
                LostClients.Add(admin);
            }

            return [];
        }
        catch (DescribeUserScramCredentialsException e)
        {
            admin.Dispose();
            throw Failed("Describing SCRAM users", e.Results.UserScramCredentialsDescriptions.First(d => d.Error.IsError).Error);
        }
        catch (KafkaException e)
        {
            admin.Dispose();
            throw Failed("Describing SCRAM users", e.Error);
        }
    }

    /// <summary>The SCRAM credentials of <paramref name="users"/>; a user without any is left out.</summary>
    /// <exception cref="OperationFailedException">The broker refused.</exception>
    public static async Task<List<ScramUser>> DescribeAsync(IAdminClient admin, IReadOnlyList<string> users)
    {
        ArgumentNullException.ThrowIfNull(admin);
        ArgumentNullException.ThrowIfNull(users);
        if (users.Count == 0)
        {
            throw new ArgumentException("Name the users; DescribeAllAsync lists every one.", nameof(users));
        }

        try
        {
            return Users((await admin.DescribeUserScramCredentialsAsync(users, new DescribeUserScramCredentialsOptions { RequestTimeout = Timeout }).ConfigureAwait(false))
                .UserScramCredentialsDescriptions);
        }
        catch (DescribeUserScramCredentialsException e) when (e.Results.UserScramCredentialsDescriptions.Where(d => d.Error.IsError).All(d => d.Error.Code == ErrorCode.ResourceNotFound))
        {
            return Users([.. e.Results.UserScramCredentialsDescriptions.Where(d => !d.Error.IsError)]);
        }
        catch (DescribeUserScramCredentialsException e)
        {
            var failed = e.Results.UserScramCredentialsDescriptions.First(d => d.Error.IsError);
            throw Failed($"Describing user '{failed.User}'", failed.Error);
        }
        catch (KafkaException e)
        {
            throw Failed("Describing SCRAM users", e.Error);
        }
    }

    /// <summary>Creates the user's credential for <paramref name="mechanism"/>, or replaces it (a new password, a new salt).</summary>
    /// <exception cref="InvalidRequestException">An empty name or password, or iterations outside Kafka's bounds.</exception>
    /// <exception cref="OperationFailedException">The broker refused.</exception>
    public static async Task UpsertAsync(IAdminClient admin, string user, string password, ScramMechanism mechanism, int iterations)
    {
        ArgumentNullException.ThrowIfNull(admin);
        if (string.IsNullOrEmpty(user))
        {
            throw new InvalidRequestException("The user name is empty.");
        }

        if (string.IsNullOrEmpty(password))
        {
            throw new InvalidRequestException("The password is empty.");
        }

        if (iterations is < MinIterations or > MaxIterations)
        {
            throw new InvalidRequestException($"--iterations must be between {MinIterations} and {MaxIterations} (Kafka's bounds for SCRAM), got {iterations}.");
        }

        var upsertion = new UserScramCredentialUpsertion
        {
            User = user,
            ScramCredentialInfo = new ScramCredentialInfo { Mechanism = mechanism, Iterations = iterations },
            Password = Encoding.UTF8.GetBytes(password),
            // A fresh random salt per credential, as Kafka's own tools make one: equal passwords never share a hash.
            Salt = RandomNumberGenerator.GetBytes(32),
        };
        await AlterAsync(admin, upsertion, $"Setting the {Format(mechanism)} credential of '{user}'").ConfigureAwait(false);
    }

    /// <summary>Deletes the user's credentials: for <paramref name="mechanism"/>, or every one it has when null.</summary>
    /// <returns>The mechanisms deleted.</returns>
    /// <exception cref="OperationFailedException">The user has no (such) credential, or the broker refused.</exception>
    public static async Task<List<string>> DeleteAsync(IAdminClient admin, string user, ScramMechanism? mechanism)
    {
        ArgumentNullException.ThrowIfNull(admin);
        var mechanisms = mechanism is { } one
            ? [one]
            : (await DescribeAsync(admin, [user]).ConfigureAwait(false)).Select(u => ParseMechanism(u.Mechanism)).ToList();
        if (mechanisms.Count == 0)
        {
            throw new OperationFailedException($"User '{user}' has no SCRAM credentials.");
        }

        foreach (var each in mechanisms)
        {
            await AlterAsync(admin, new UserScramCredentialDeletion { User = user, Mechanism = each }, $"Deleting the {Format(each)} credential of '{user}'").ConfigureAwait(false);
        }

        return [.. mechanisms.Select(Format)];
    }

    private static List<ScramUser> Users(IEnumerable<UserScramCredentialsDescription> descriptions) => [.. descriptions
        .SelectMany(d => d.ScramCredentialInfos.Select(c => new ScramUser(d.User, Format(c.Mechanism), c.Iterations)))
        .OrderBy(u => u.User, StringComparer.Ordinal)
        .ThenBy(u => u.Mechanism, StringComparer.Ordinal)];

    private static async Task AlterAsync(IAdminClient admin, UserScramCredentialAlteration alteration, string action)
    {
        try
        {
            await admin.AlterUserScramCredentialsAsync([alteration], new AlterUserScramCredentialsOptions { RequestTimeout = Timeout }).ConfigureAwait(false);
        }
        catch (AlterUserScramCredentialsException e)
        {
            throw Failed(action, e.Results.First(r => r.Error.IsError).Error);
        }
        catch (KafkaException e)
        {
            throw Failed(action, e.Error);
        }
    }

    private static OperationFailedException Failed(string action, Error error) => new(error.Code switch
    {
        ErrorCode.ResourceNotFound => $"{action}: {error.Reason}",
        ErrorCode.ClusterAuthorizationFailed =>
            $"{action} failed: not authorized (CLUSTER_AUTHORIZATION_FAILED): SCRAM users are described with Describe and changed with Alter on the cluster; connect as a super user (super.users).",
        ErrorCode.UnsupportedSaslMechanism => $"{action} failed: the broker does not support this mechanism (UNSUPPORTED_SASL_MECHANISM): {error.Reason}",
        ErrorCode.Local_UnsupportedFeature or ErrorCode.UnsupportedVersion =>
            $"{action} failed: the broker does not support the SCRAM admin APIs (DescribeUserScramCredentials/AlterUserScramCredentials): {error.Reason}",
        _ => $"{action} failed: {error.Reason} ({error.Code})",
    });
}
