using System.CommandLine;
using Confluent.SchemaRegistry;
using Streams.Cli.Infrastructure;
using Streams.Contracts;

namespace Streams.Cli.Commands.Schemas;

/// <summary>
/// <c>streams schemas register</c>: one schema under a subject, or <c>--all-contracts</c> under the subjects the
/// application uses (what the worker does at start), so a registry can be prepared before any producer runs.
/// </summary>
internal static class RegisterCommand
{
    public static Command Create(CliEnvironment cli)
    {
        var subject = new Argument<string?>("subject") { Description = "Registry subject (not with --all-contracts)", Arity = ArgumentArity.ZeroOrOne };
        var allContracts = new Option<bool>("--all-contracts") { Description = "Register every contract type under its catalog subject" };
        var source = new SchemaSource();
        var command = new Command("register", "Register a schema (a new version if it differs and is compatible)") { subject, allContracts };
        source.AddTo(command);
        cli.SetAction(command, async (parse, session, cancellationToken) =>
        {
            using var registry = session.CreateRegistryClient();
            var work = new List<(string Subject, Schema Schema)>();
            if (parse.GetValue(allContracts))
            {
                if (parse.GetValue(subject) is not null)
                {
                    throw CliException.Usage("--all-contracts chooses the subjects itself; give no subject");
                }

                foreach (var type in ContractsAssembly.RecordTypes.Where(t => Contracts.Topics.TopicCatalog.All.Any(c => c.ValueTypes.Contains(t))).OrderBy(t => t.FullName, StringComparer.Ordinal))
                {
                    work.Add((await SchemaSource.CatalogSubjectAsync(registry, type).ConfigureAwait(false),
                        new Schema(((Avro.Specific.ISpecificRecord)Activator.CreateInstance(type)!).Schema.ToString(), SchemaType.Avro)));
                }
            }
            else
            {
                var name = parse.GetValue(subject) ?? throw CliException.Usage("give the subject (or --all-contracts)");
                work.Add((name, await source.ReadAsync(parse, cancellationToken).ConfigureAwait(false)));
            }

            var rows = new List<object>();
            var table = new TextTable("SUBJECT", "VERSION", "ID");
            foreach (var (name, schema) in work)
            {
                try
                {
                    var id = await registry.RegisterSchemaAsync(name, schema).ConfigureAwait(false);
                    var registered = await registry.LookupSchemaAsync(name, schema, ignoreDeletedSchemas: true).ConfigureAwait(false);
                    rows.Add(new { subject = name, version = registered.Version, id });
                    table.Add(name, registered.Version, id);
                }
                catch (SchemaRegistryException e) when (e.ErrorCode == 409)
                {
                    throw new CliException($"Subject '{name}' refused the schema as incompatible: {e.Message}");
                }
            }

            await session.WriteAsync(rows, table).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
