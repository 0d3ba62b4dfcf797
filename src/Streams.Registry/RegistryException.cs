namespace Streams.Registry;

/// <summary>A failure with Confluent's HTTP status and error code, answered as <c>{"error_code": ..., "message": ...}</c>.</summary>
internal sealed class RegistryException(int status, int errorCode, string message) : Exception(message)
{
    public int Status { get; } = status;

    public int ErrorCode { get; } = errorCode;

    public static RegistryException SubjectNotFound(string subject) => new(404, 40401, $"Subject '{subject}' not found.");

    public static RegistryException VersionNotFound(string subject, int version) => new(404, 40402, $"Version {version} not found for subject '{subject}'.");

    public static RegistryException SchemaNotFound(string what = "Schema not found") => new(404, 40403, what);

    public static RegistryException SubjectSoftDeleted(string subject) =>
        new(404, 40404, $"Subject '{subject}' was soft deleted. Set permanent=true to delete permanently");

    public static RegistryException SubjectNotSoftDeleted(string subject) =>
        new(404, 40405, $"Subject '{subject}' was not deleted first before being permanently deleted");

    public static RegistryException VersionSoftDeleted(string subject, int version) =>
        new(404, 40406, $"Subject '{subject}' Version {version} was soft deleted. Set permanent=true to delete permanently");

    public static RegistryException VersionNotSoftDeleted(string subject, int version) =>
        new(404, 40407, $"Subject '{subject}' Version {version} was not deleted first before being permanently deleted");

    public static RegistryException SubjectLevelConfigNotFound(string subject) =>
        new(404, 40408, $"Subject '{subject}' does not have subject-level compatibility configured");

    public static RegistryException SubjectLevelModeNotFound(string subject) =>
        new(404, 40409, $"Subject '{subject}' does not have subject-level mode configured");

    public static RegistryException Incompatible(string message) => new(409, 409, message);

    public static RegistryException InvalidSchema(string message) => new(422, 42201, message);

    public static RegistryException InvalidVersion(string version) =>
        new(422, 42202, $"The specified version '{version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");

    public static RegistryException InvalidCompatibilityLevel(string? level) =>
        new(422, 42203, $"Invalid compatibility level '{level}'. Valid values are NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE");

    public static RegistryException InvalidMode(string? mode) =>
        new(422, 42204, $"Invalid mode '{mode}'. Valid values are READWRITE, READONLY, IMPORT");

    public static RegistryException OperationNotPermitted(string message) => new(422, 42205, message);

    public static RegistryException ReferenceExists(string message) => new(422, 42206, message);

    public static RegistryException BadRequest(string message) => new(400, 400, message);

    public static RegistryException Store(string message) => new(500, 50001, message);
}
