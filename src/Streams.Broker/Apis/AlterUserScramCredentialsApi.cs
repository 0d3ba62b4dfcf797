using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;
using Streams.Broker.Security.Authentication.Scram;

namespace Streams.Broker.Apis;

/// <summary>
/// AlterUserScramCredentials (51), v0 (flexible): deletions and upsertions of SCRAM credentials. The client sends
/// the salt and the salted password (never the password); the broker derives and keeps the stored and server keys.
/// Per user, as Kafka checks: an empty name or iterations outside 4096..16384 is UNACCEPTABLE_CREDENTIAL, an unknown
/// mechanism UNSUPPORTED_SASL_MECHANISM, the same user and mechanism twice DUPLICATE_RESOURCE, deleting a missing
/// credential RESOURCE_NOT_FOUND; a user with any error has none of its changes applied.
/// </summary>
internal sealed class AlterUserScramCredentialsApi : ApiHandler<AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse>
{
    public override ValueTask<AlterUserScramCredentialsResponse> HandleAsync(RequestContext context, AlterUserScramCredentialsRequest request)
    {
        if (!context.AuthorizeCluster(Security.Authorization.AclOperation.Alter))
        {
            // Kafka answers every user of the request with the same error and changes nothing.
            return ValueTask.FromResult(new AlterUserScramCredentialsResponse
            {
                Results = [.. request.Deletions.Select(d => d.Name).Concat(request.Upsertions.Select(u => u.Name)).Distinct(StringComparer.Ordinal)
                    .Select(user => new AlterUserScramCredentialsResponse.UserResult { User = user, ErrorCode = ErrorCode.ClusterAuthorizationFailed, ErrorMessage = "Cluster authorization failed" })],
            });
        }

        var store = context.Broker.ScramCredentials;
        var errors = new Dictionary<string, (ErrorCode Error, string Message)>(StringComparer.Ordinal);
        void Reject(string user, ErrorCode error, string message) => errors.TryAdd(user, (error, message));

        var changes = request.Deletions.Select(d => (d.Name, d.Mechanism))
            .Concat(request.Upsertions.Select(u => (u.Name, u.Mechanism)))
            .ToList();
        foreach (var duplicate in changes.GroupBy(c => c).Where(g => g.Count() > 1))
        {
            Reject(duplicate.Key.Name, ErrorCode.DuplicateResource, $"A user credential cannot be altered twice in the same request: {duplicate.Key.Name}");
        }

        var deletions = new List<(string, ScramMechanism)>();
        foreach (var deletion in request.Deletions)
        {
            if (deletion.Name.Length == 0)
            {
                Reject(deletion.Name, ErrorCode.UnacceptableCredential, "Username must not be empty");
            }
            else if (ScramMechanism.FromCode(deletion.Mechanism) is not { } mechanism)
            {
                Reject(deletion.Name, ErrorCode.UnsupportedSaslMechanism, $"Unknown SCRAM mechanism {deletion.Mechanism}");
            }
            else if (store.Find(deletion.Name, mechanism) is null)
            {
                Reject(deletion.Name, ErrorCode.ResourceNotFound, $"Attempt to delete a user credential that does not exist: {deletion.Name} {mechanism.Name}");
            }
            else
            {
                deletions.Add((deletion.Name, mechanism));
            }
        }

        var upserts = new List<(string, ScramMechanism, ScramCredential)>();
        foreach (var upsert in request.Upsertions)
        {
            if (upsert.Name.Length == 0)
            {
                Reject(upsert.Name, ErrorCode.UnacceptableCredential, "Username must not be empty");
            }
            else if (ScramMechanism.FromCode(upsert.Mechanism) is not { } mechanism)
            {
                Reject(upsert.Name, ErrorCode.UnsupportedSaslMechanism, $"Unknown SCRAM mechanism {upsert.Mechanism}");
            }
            else if (upsert.Iterations < ScramMechanism.MinIterations)
            {
                Reject(upsert.Name, ErrorCode.UnacceptableCredential, $"Too few iterations: {upsert.Iterations} (at least {ScramMechanism.MinIterations})");
            }
            else if (upsert.Iterations > ScramMechanism.MaxIterations)
            {
                Reject(upsert.Name, ErrorCode.UnacceptableCredential, $"Too many iterations: {upsert.Iterations} (at most {ScramMechanism.MaxIterations})");
            }
            else if (upsert.Salt.IsEmpty || upsert.SaltedPassword.IsEmpty)
            {
                Reject(upsert.Name, ErrorCode.UnacceptableCredential, "Salt and salted password must not be empty");
            }
            else
            {
                upserts.Add((upsert.Name, mechanism, mechanism.Credential(upsert.Salt.Span, upsert.SaltedPassword.Span, upsert.Iterations)));
            }
        }

        store.Apply(deletions.Where(d => !errors.ContainsKey(d.Item1)), upserts.Where(u => !errors.ContainsKey(u.Item1)));
        var users = changes.Select(c => c.Name).Distinct(StringComparer.Ordinal);
        return ValueTask.FromResult(new AlterUserScramCredentialsResponse
        {
            Results = [.. users.Select(user => errors.TryGetValue(user, out var e)
                ? new AlterUserScramCredentialsResponse.UserResult { User = user, ErrorCode = e.Error, ErrorMessage = e.Message }
                : new AlterUserScramCredentialsResponse.UserResult { User = user })],
        });
    }
}
