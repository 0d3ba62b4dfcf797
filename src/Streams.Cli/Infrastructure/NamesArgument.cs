using System.CommandLine;

namespace Streams.Cli.Infrastructure;

/// <summary>
/// <see cref="NameArgument"/> for commands that take several names (<c>streams topics delete a b</c>, or
/// <c>--topic a --topic b</c>). Both forms at once is a usage error unless they name the same set.
/// </summary>
internal sealed class NamesArgument
{
    private readonly Argument<string[]> _positional;
    private readonly Option<string[]> _flag;

    /// <param name="name">The positional argument's name (<c>topics</c>).</param>
    /// <param name="flag">The Kafka tools' flag, repeatable (<c>--topic</c>).</param>
    /// <param name="description">What the names are.</param>
    public NamesArgument(string name, string flag, string description)
    {
        _positional = new Argument<string[]>(name) { Description = $"{description} (or {flag}, repeatable)", Arity = ArgumentArity.ZeroOrMore };
        _flag = new Option<string[]>(flag) { Description = $"{description}, as the Kafka tools take them; repeatable (or the positional <{name}>)" };
    }

    /// <summary>Adds the argument and the flag to <paramref name="command"/>, and the check that exactly one form was given.</summary>
    public void AddTo(Command command)
    {
        command.Add(_positional);
        command.Add(_flag);
        command.Validators.Add(result =>
        {
            var positional = result.GetValue(_positional) ?? [];
            var flagged = result.GetValue(_flag) ?? [];
            if (positional.Length == 0 && flagged.Length == 0)
            {
                result.AddError($"give the {_positional.Name}: <{_positional.Name}>... or {_flag.Name} <name> (repeatable)");
            }
            else if (positional.Length > 0 && flagged.Length > 0 && !positional.ToHashSet(StringComparer.Ordinal).SetEquals(flagged))
            {
                result.AddError($"<{_positional.Name}> '{string.Join(" ", positional)}' and {_flag.Name} '{string.Join(" ", flagged)}' differ; give one of them");
            }
        });
    }

    /// <summary>The names given (the validator made sure there are some).</summary>
    public string[] Read(ParseResult parse) => parse.GetValue(_positional) is { Length: > 0 } positional ? positional : parse.GetValue(_flag)!;
}
