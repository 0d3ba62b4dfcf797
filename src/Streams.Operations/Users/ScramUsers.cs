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

    /// <summary>The SCRAM credentials of <paramref name="users"/>, or of every user when none are named.</summary>
    /// <exception cref="OperationFailedException">A named user has no credentials, or the broker refused.</exception>
    public static async Task<List<ScramUser>> DescribeAsync(IAdminClient admin, IReadOnlyList<string> users)
    {
        ArgumentNullException.ThrowIfNull(admin);
        ArgumentNullException.ThrowIfNull(users);
        List<UserScramCredentialsDescription> descriptions;
        try
        {
            descriptions = (await admin.DescribeUserScramCredentialsAsync(users, new DescribeUserScramCredentialsOptions { RequestTimeout = Timeout }).ConfigureAwait(false))
                .UserScramCredentialsDescriptions;
        }
        catch (DescribeUserScramCredentialsException e)
        {
            var failed = e.Results.UserScramCredentialsDescriptions.First(d => d.Error.IsError);
            throw Failed(failed.Error.Code == ErrorCode.ResourceNotFound ? $"User '{failed.User}' has no SCRAM credentials" : $"Describing user '{failed.User}'", failed.Error);
        }
        catch (KafkaException e)
        {
            throw Failed("Describing SCRAM users", e.Error);
        }

        return [.. descriptions
            .SelectMany(d => d.ScramCredentialInfos.Select(c => new ScramUser(d.User, Format(c.Mechanism), c.Iterations)))
            .OrderBy(u => u.User, StringComparer.Ordinal)
            .ThenBy(u => u.Mechanism, StringComparer.Ordinal)];
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
        foreach (var each in mechanisms)
        {
            await AlterAsync(admin, new UserScramCredentialDeletion { User = user, Mechanism = each }, $"Deleting the {Format(each)} credential of '{user}'").ConfigureAwait(false);
        }

        return [.. mechanisms.Select(Format)];
    }

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
