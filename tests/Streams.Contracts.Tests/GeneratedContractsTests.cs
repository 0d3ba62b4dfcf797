using Avro;
using Avro.IO;
using Avro.Specific;
using Streams.Contracts.Carts;
using Streams.Contracts.Logins;
using Streams.Contracts.Topics;

namespace Streams.Contracts.Tests;

public sealed class GeneratedContractsTests
{
    private static T RoundTrip<T>(T value)
        where T : ISpecificRecord
    {
        using var stream = new MemoryStream();
        new SpecificDatumWriter<T>(value.Schema).Write(value, new BinaryEncoder(stream));
        stream.Position = 0;
        return new SpecificDatumReader<T>(value.Schema, value.Schema).Read(default!, new BinaryDecoder(stream));
    }

    [Fact]
    public void Every_schema_file_becomes_a_record_type()
    {
        var schemaFiles = Directory.GetFiles(Path.Combine(RepositoryRoot(), "schemas"), "*.avsc", SearchOption.AllDirectories)
            .Select(Path.GetFileNameWithoutExtension)
            .Order();

        Assert.Equal(schemaFiles, ContractsAssembly.RecordTypes.Select(t => t.Name).Order());
    }

    [Fact]
    public void Login_event_maps_enums_nullable_unions_and_timestamps_to_csharp_types()
    {
        var occurredAt = new DateTime(2026, 11, 27, 8, 30, 0, 123, DateTimeKind.Utc);
        var failed = new EmployeeLoggedIn
        {
            eventId = Guid.NewGuid().ToString(),
            occurredAt = occurredAt,
            employeeId = "e-17",
            application = "payroll",
            sourceAddress = "10.0.0.7",
            outcome = LoginOutcome.Failed,
            failureReason = "wrong password",
        };

        var read = RoundTrip(failed);
        var succeeded = RoundTrip(new EmployeeLoggedIn { eventId = "x", occurredAt = occurredAt, employeeId = "e", application = "a", sourceAddress = "s", outcome = LoginOutcome.Succeeded });

        Assert.Equal(LoginOutcome.Failed, read.outcome);
        Assert.Equal("wrong password", read.failureReason);
        Assert.Equal(occurredAt, read.occurredAt);
        Assert.Null(succeeded.failureReason);
    }

    [Fact]
    public void Money_is_an_exact_decimal_with_two_places()
    {
        var order = new OrderPlaced
        {
            eventId = "o-1",
            occurredAt = DateTime.UtcNow,
            orderId = "order-1",
            cartId = "cart-1",
            customerId = "c-1",
            lines = [new CartLine { productId = "p-1", quantity = 3, unitPrice = new AvroDecimal(19.99m), currency = "EUR" }],
            total = new AvroDecimal(59.97m),
            currency = "EUR",
        };

        var read = RoundTrip(order);

        Assert.Equal(59.97m, (decimal)read.total);
        Assert.Equal(19.99m, (decimal)read.lines.Single().unitPrice);
        Assert.Equal(3, read.lines.Single().quantity);
    }

    [Theory]
    [InlineData("40", "40.00")]
    [InlineData("19.999", "20.00")]
    [InlineData("0.125", "0.12")]
    public void Money_of_any_amount_encodes_as_cents(string amount, string expected)
    {
        var order = new CartLine { productId = "p", quantity = 1, unitPrice = Money.Of(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)), currency = "EUR" };

        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), (decimal)RoundTrip(order).unitPrice);
    }

    [Fact]
    public void Generated_schema_is_the_schema_file()
    {
        var file = File.ReadAllText(Path.Combine(RepositoryRoot(), "schemas", "carts", "CartCheckedOut.avsc"));

        Assert.Equal(Avro.Schema.Parse(file), new CartCheckedOut().Schema);
    }

    [Fact]
    public void Catalog_covers_every_record_type_once_and_keeps_events_forever()
    {
        var types = TopicCatalog.All.SelectMany(t => t.ValueTypes).ToList();

        Assert.Equal(types.Distinct().Count(), types.Count);
        Assert.Subset(ContractsAssembly.RecordTypes.ToHashSet(), types.ToHashSet());
        Assert.All(TopicCatalog.All.Where(t => t.Configs["cleanup.policy"] == "delete"), t => Assert.Equal("-1", t.Configs["retention.ms"]));
        Assert.Equal(SubjectNaming.TopicRecord, TopicCatalog.CartEvents.SubjectNaming);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Streams.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Streams.sln not found above the test assembly");
    }
}
