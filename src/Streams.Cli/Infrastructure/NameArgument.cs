using System.CommandLine;

namespace Streams.Cli.Infrastructure;

/// <summary>
/// A name a command takes positionally, as it always has (<c>streams groups describe G</c>), or with the flag the
/// Kafka tools use for it (<c>--group G</c> as kafka-consumer-groups.sh, <c>--topic T</c> as kafka-topics.sh and
/// kafka-console-consumer.sh), so commands copied from Kafka's documentation work. One of the two is required;
/// both is a usage error unless they say the same.
/// </summary>
internal sealed class NameArgument
{
    private readonly Argument<string?> _positional;
    private readonly Option<string?> _flag;

    /// <param name="name">The positional argument's name (<c>group</c>).</param>
    /// <param name="flag">The Kafka tools' flag (<c>--group</c>).</param>
    /// <param name="description">What the name is.</param>
    public NameArgument(string name, string flag, string description)
    {
        _positional = new Argument<string?>(name) { Description = $"{description} (or {flag})", Arity = ArgumentArity.ZeroOrOne };
        _flag = new Option<string?>(flag) { Description = $"{description}, as the Kafka tools take it (or the positional <{name}>)" };
    }

    /// <summary>Adds the argument and the flag to <paramref name="command"/>, and the check that exactly one name was given.</summary>
    public void AddTo(Command command)
    {
        command.Add(_positional);
        command.Add(_flag);
        command.Validators.Add(result =>
        {
            var positional = result.GetValue(_positional);
            var flagged = result.GetValue(_flag);
            if (positional is null && flagged is null)
            {
                result.AddError($"give the {_positional.Name}: <{_positional.Name}> or {_flag.Name} <{_positional.Name}>");
            }
            else if (positional is not null && flagged is not null && positional != flagged)
            {
                result.AddError($"<{_positional.Name}> '{positional}' and {_flag.Name} '{flagged}' differ; give one of them");
            }
        });
    }

    /// <summary>The name given (the validator made sure there is one).</summary>
    public string Read(ParseResult parse) => parse.GetValue(_positional) ?? parse.GetValue(_flag)!;
}
