using System.Collections;
using System.Reflection;
using Streams.Broker.Protocol;

namespace Streams.Broker.Tests.Protocol;

/// <summary>
/// Fills a generated message with values that differ from every Kafka default (so tagged fields are written too),
/// walking nested structs and arrays by reflection: the round-trip tests then cover every field of every API.
/// With <c>nulls</c>, every nullable field is null instead.
/// </summary>
internal sealed class MessageFiller(int seed, bool nulls = false)
{
    private readonly NullabilityInfoContext _nullability = new();
    private int _next = seed;

    public T Fill<T>()
        where T : new()
    {
        var message = new T();
        FillObject(message);
        return message;
    }

    private void FillObject(object target)
    {
        foreach (var property in target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var nullable = _nullability.Create(property).WriteState == NullabilityState.Nullable;
            property.SetValue(target, nulls && nullable ? null : ValueFor(property.PropertyType));
        }
    }

    private object ValueFor(Type type)
    {
        var n = ++_next;
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(sbyte))
        {
            return (sbyte)(n % 100 + 1);
        }

        if (type == typeof(short))
        {
            return (short)(n + 1000);
        }

        if (type == typeof(ushort))
        {
            return (ushort)(n + 40000);
        }

        if (type == typeof(int))
        {
            return n * 1000 + 7;
        }

        if (type == typeof(uint))
        {
            return (uint)n + 3_000_000_000u;
        }

        if (type == typeof(long))
        {
            return n * 10_000_000_000L + 3;
        }

        if (type == typeof(double))
        {
            return n + 0.25;
        }

        if (type == typeof(bool))
        {
            return true;
        }

        if (type == typeof(ErrorCode))
        {
            return (ErrorCode)(n % 90 + 1);
        }

        if (type == typeof(string))
        {
            return $"value-{n}-é";
        }

        if (type == typeof(Guid))
        {
            return new Guid(n, 2, 3, [4, 5, 6, 7, 8, 9, 10, 11]);
        }

        if (type == typeof(ReadOnlyMemory<byte>))
        {
            return new ReadOnlyMemory<byte>([(byte)n, 1, 2, 3]);
        }

        if (type == typeof(RecordSet))
        {
            return new MemoryRecordSet(new byte[] { 9, 8, 7, (byte)n });
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            var list = (IList)Activator.CreateInstance(type)!;
            var element = type.GetGenericArguments()[0];
            list.Add(ValueFor(element));
            list.Add(ValueFor(element));
            return list;
        }

        if (type.IsClass && type.GetConstructor(Type.EmptyTypes) is { } constructor)
        {
            var nested = constructor.Invoke(null);
            FillObject(nested);
            return nested;
        }

        throw new NotSupportedException($"no test value for {type}");
    }
}
