using Streams.Broker.Storage;

namespace Streams.Broker.Tests.Storage;

/// <summary>The sparse in-memory indexes of a segment.</summary>
public sealed class IndexUnitTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(9, 0)]
    [InlineData(10, 100)]
    [InlineData(15, 100)]
    [InlineData(20, 200)]
    [InlineData(1_000, 200)]
    public void The_offset_index_answers_the_position_of_the_last_entry_at_or_below_an_offset(int relativeOffset, int position)
    {
        var index = new OffsetIndex();
        index.Add(0, 0);
        index.Add(10, 100);
        index.Add(20, 200);

        Assert.Equal(position, index.FloorPosition(relativeOffset));
    }

    [Fact]
    public void An_empty_offset_index_points_at_the_start_of_the_segment()
    {
        var index = new OffsetIndex();

        Assert.Equal(0, index.FloorPosition(42));
        Assert.Equal(0, index.Count);
    }

    [Fact]
    public void A_cleared_offset_index_forgets_its_entries()
    {
        var index = new OffsetIndex();
        index.Add(5, 500);

        index.Clear();

        Assert.Equal(0, index.FloorPosition(5));
    }

    [Fact]
    public void The_time_index_only_takes_entries_that_raise_the_largest_timestamp()
    {
        var index = new TimeIndex();
        Assert.Equal(-1, index.LastTimestamp);

        index.MaybeAdd(1_000, 0);
        index.MaybeAdd(900, 3);
        index.MaybeAdd(1_000, 4);
        index.MaybeAdd(2_000, 6);

        Assert.Equal(2_000, index.LastTimestamp);

        // The out-of-order batches at 3 and 4 left no entry, so a search for 950 starts from the beginning.
        Assert.Equal(0, index.LowerBoundOffset(950));
        Assert.Equal(0, index.LowerBoundOffset(2_000));
    }

    [Theory]
    [InlineData(500, 0)]
    [InlineData(1_000, 0)]
    [InlineData(1_001, 0)]
    [InlineData(2_000, 0)]
    [InlineData(2_001, 5)]
    [InlineData(3_001, 9)]
    public void The_time_index_answers_the_entry_before_the_first_one_at_or_after_a_timestamp(long timestamp, int relativeOffset)
    {
        var index = new TimeIndex();
        index.MaybeAdd(1_000, 0);
        index.MaybeAdd(2_000, 5);
        index.MaybeAdd(3_000, 9);

        Assert.Equal(relativeOffset, index.LowerBoundOffset(timestamp));
    }
}
