using Streams.Broker.Protocol;

namespace Streams.Broker.Records;

/// <summary>
/// Walks the concatenated (decompressed) records of one batch without allocating, checking each record's framing.
/// Malformed varints and lengths that run past the data are CORRUPT_MESSAGE; fields that disagree with the record's own
/// Length are INVALID_RECORD, as Kafka's <c>DefaultRecord.readFrom</c> reports them.
/// </summary>
internal ref struct RecordCursor
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public RecordCursor(ReadOnlySpan<byte> data)
    {
        _data = data;
    }

    public readonly bool AtEnd => _position >= _data.Length;

    public readonly int Remaining => _data.Length - _position;

    public bool TryRead(out RawRecord record, out ErrorCode error, out string? message)
    {
        record = default;
        if (!Varint.ReadVarint(_data, ref _position, out var length))
        {
            return Fail(ErrorCode.CorruptMessage, "malformed record length varint", out error, out message);
        }

        if (length <= 0 || length > _data.Length - _position)
        {
            return Fail(ErrorCode.CorruptMessage,
                $"record length {length} does not fit the {_data.Length - _position} bytes left", out error, out message);
        }

        var body = _data.Slice(_position, length);
        _position += length;

        // Attributes (int8) are unused in magic 2.
        var pos = 1;
        if (!Varint.ReadVarlong(body, ref pos, out var timestampDelta)
            || !Varint.ReadVarint(body, ref pos, out var offsetDelta)
            || !Varint.ReadVarint(body, ref pos, out var keyLength))
        {
            return Fail(ErrorCode.CorruptMessage, "malformed record varint", out error, out message);
        }

        if (!TrySlice(body, ref pos, keyLength, out var key, out error, out message))
        {
            return false;
        }

        if (!Varint.ReadVarint(body, ref pos, out var valueLength))
        {
            return Fail(ErrorCode.CorruptMessage, "malformed record value length varint", out error, out message);
        }

        if (!TrySlice(body, ref pos, valueLength, out var value, out error, out message))
        {
            return false;
        }

        if (!Varint.ReadVarint(body, ref pos, out var headerCount))
        {
            return Fail(ErrorCode.CorruptMessage, "malformed record header count varint", out error, out message);
        }

        if (headerCount < 0)
        {
            return Fail(ErrorCode.InvalidRecord, $"negative header count {headerCount}", out error, out message);
        }

        var headersStart = pos;
        for (var i = 0; i < headerCount; i++)
        {
            if (!Varint.ReadVarint(body, ref pos, out var headerKeyLength))
            {
                return Fail(ErrorCode.CorruptMessage, "malformed header key length varint", out error, out message);
            }

            if (headerKeyLength < 0)
            {
                return Fail(ErrorCode.InvalidRecord, "null header key", out error, out message);
            }

            if (!TrySlice(body, ref pos, headerKeyLength, out _, out error, out message))
            {
                return false;
            }

            if (!Varint.ReadVarint(body, ref pos, out var headerValueLength))
            {
                return Fail(ErrorCode.CorruptMessage, "malformed header value length varint", out error, out message);
            }

            if (!TrySlice(body, ref pos, headerValueLength, out _, out error, out message))
            {
                return false;
            }
        }

        if (pos != body.Length)
        {
            return Fail(ErrorCode.InvalidRecord,
                $"record length {length} disagrees with its fields, which take {pos} bytes", out error, out message);
        }

        record = new RawRecord
        {
            TimestampDelta = timestampDelta,
            OffsetDelta = offsetDelta,
            HasKey = keyLength >= 0,
            Key = key,
            HasValue = valueLength >= 0,
            Value = value,
            HeaderCount = headerCount,
            Headers = body[headersStart..],
        };
        error = ErrorCode.None;
        message = null;
        return true;
    }

    /// <summary>Length -1 means null (an empty slice); anything else must fit the record.</summary>
    private static bool TrySlice(ReadOnlySpan<byte> body, scoped ref int pos, int length, out ReadOnlySpan<byte> slice,
        out ErrorCode error, out string? message)
    {
        slice = default;
        if (length < -1)
        {
            return Fail(ErrorCode.CorruptMessage, $"invalid field length {length}", out error, out message);
        }

        if (length > body.Length - pos)
        {
            return Fail(ErrorCode.InvalidRecord,
                $"field of {length} bytes overruns its record ({body.Length - pos} bytes left)", out error, out message);
        }

        if (length > 0)
        {
            slice = body.Slice(pos, length);
            pos += length;
        }

        error = ErrorCode.None;
        message = null;
        return true;
    }

    private static bool Fail(ErrorCode code, string text, out ErrorCode error, out string? message)
    {
        error = code;
        message = text;
        return false;
    }
}
