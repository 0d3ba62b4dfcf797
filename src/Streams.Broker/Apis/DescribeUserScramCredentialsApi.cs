using Streams.Broker.Protocol;
using Streams.Broker.Protocol.Messages;

namespace Streams.Broker.Apis;

/// <summary>
/// DescribeUserScramCredentials (50), v0 (flexible): each user's SCRAM mechanisms and iterations, never keys.
/// Users = null or empty lists every user (Kafka reads both so; librdkafka sends an empty array); a named user without credentials is RESOURCE_NOT_FOUND, a name asked twice
/// DUPLICATE_RESOURCE, as Kafka answers.
/// </summary>
internal sealed class DescribeUserScramCredentialsApi : ApiHandler<DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse>
{
    public override ValueTask<DescribeUserScramCredentialsResponse> HandleAsync(RequestContext context, DescribeUserScramCredentialsRequest request)
    {
        if (!context.AuthorizeCluster(Security.Authorization.AclOperation.Describe))
        {
            return ValueTask.FromResult(new DescribeUserScramCredentialsResponse { ErrorCode = ErrorCode.ClusterAuthorizationFailed, ErrorMessage = "Cluster authorization failed", Results = [] });
        }

        var users = context.Broker.ScramCredentials.Describe();
        var results = new List<DescribeUserScramCredentialsResponse.UserResult>();
        if (request.Users is null or { Count: 0 })
        {
            results.AddRange(users.OrderBy(u => u.Key, StringComparer.Ordinal).Select(u => Found(u.Key, u.Value)));
        }
        else
        {
            var duplicates = request.Users.GroupBy(u => u.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var name in request.Users.Select(u => u.Name).Distinct(StringComparer.Ordinal))
            {
                results.Add(duplicates.Contains(name) ? Error(name, ErrorCode.DuplicateResource, $"Cannot describe SCRAM credentials for the same user twice in a single request: {name}")
                    : users.TryGetValue(name, out var mechanisms) ? Found(name, mechanisms)
                    : Error(name, ErrorCode.ResourceNotFound, $"Attempt to describe a user credential that does not exist: {name}"));
            }
        }

        return ValueTask.FromResult(new DescribeUserScramCredentialsResponse { Results = results });
    }

    private static DescribeUserScramCredentialsResponse.UserResult Found(string user, IReadOnlyList<(Security.Authentication.Scram.ScramMechanism Mechanism, int Iterations)> mechanisms) => new()
    {
        User = user,
        CredentialInfos = [.. mechanisms.Select(m => new DescribeUserScramCredentialsResponse.CredentialInfo { Mechanism = m.Mechanism.Code, Iterations = m.Iterations })],
    };

    private static DescribeUserScramCredentialsResponse.UserResult Error(string user, ErrorCode error, string message) =>
        new() { User = user, ErrorCode = error, ErrorMessage = message };
}
