using Streams.Cli.Tests.Support;

namespace Streams.Cli.Tests.Schemas;

[Collection(ClusterCollection.Name)]
public sealed class SchemaCommandsTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Register_get_list_and_check_a_subject()
    {
        var subject = $"people-{Guid.NewGuid().ToString("N")[..8]}-value";
        var incompatible = Path.GetTempFileName();
        await File.WriteAllTextAsync(incompatible,
            """{"type":"record","name":"EmployeeLoggedIn","namespace":"Streams.Contracts.Logins","fields":[{"name":"eventId","type":"string"},{"name":"mfa","type":"string"}]}""");
        try
        {
            var registered = await cluster.RunAsync("schemas", "register", subject, "--type", "EmployeeLoggedIn", "-o", "json");
            var again = await cluster.RunAsync("schemas", "register", subject, "--type", "EmployeeLoggedIn", "-o", "json");
            var got = await cluster.RunAsync("schemas", "get", subject, "-o", "json");
            var listed = await cluster.RunAsync("schemas", "list", "-o", "json");
            var compatible = await cluster.RunAsync("schemas", "check", subject, "--type", "EmployeeLoggedIn");
            var refused = await cluster.RunAsync("schemas", "check", subject, "--file", incompatible, "-o", "json");
            var rejected = await cluster.RunAsync("schemas", "register", subject, "--file", incompatible);

            Assert.True(registered.ExitCode == 0, registered.ToString());
            var row = Assert.Single(registered.Json.EnumerateArray());
            Assert.Equal(1, row.GetProperty("version").GetInt32());
            Assert.Equal(row.GetProperty("id").GetInt32(), Assert.Single(again.Json.EnumerateArray()).GetProperty("id").GetInt32());
            Assert.Equal("EmployeeLoggedIn", got.Json.GetProperty("schema").GetProperty("name").GetString());
            Assert.Contains(listed.Json.EnumerateArray(), s => s.GetProperty("subject").GetString() == subject && s.GetProperty("record").GetString() == "Streams.Contracts.Logins.EmployeeLoggedIn");
            Assert.Equal(0, compatible.ExitCode);
            Assert.Equal(1, refused.ExitCode);
            Assert.False(refused.Json.GetProperty("compatible").GetBoolean());
            Assert.Equal(1, rejected.ExitCode);
        }
        finally
        {
            File.Delete(incompatible);
        }
    }

    [Fact]
    public async Task All_contracts_register_under_the_catalog_subjects()
    {
        var run = await cluster.RunAsync("schemas", "register", "--all-contracts", "-o", "json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var subjects = run.Json.EnumerateArray().Select(r => r.GetProperty("subject").GetString()).ToList();
        Assert.Contains("logins-value", subjects);
        Assert.Contains("cart-events-Streams.Contracts.Carts.CartCheckedOut", subjects);
        Assert.Contains("security-alerts-value", subjects);
    }

    [Fact]
    public async Task Unknown_subjects_and_missing_schemas_are_reported()
    {
        var missing = await cluster.RunAsync("schemas", "get", "nothing-here-value");
        var noSource = await cluster.RunAsync("schemas", "check", "nothing-here-value");
        var notAType = await cluster.RunAsync("schemas", "register", "x-value", "--type", "NoSuchType");

        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("not found", missing.Error, StringComparison.Ordinal);
        Assert.Equal(2, noSource.ExitCode);
        Assert.Equal(2, notAType.ExitCode);
    }

    [Fact]
    public async Task Proto_and_json_files_register_with_their_references_and_are_checked()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var folder = Directory.CreateTempSubdirectory("schemas");
        var address = Path.Combine(folder.FullName, "address.proto");
        var customer = Path.Combine(folder.FullName, "customer.proto");
        var narrowed = Path.Combine(folder.FullName, "customer2.proto");
        var shipment = Path.Combine(folder.FullName, "shipment.json");
        await File.WriteAllTextAsync(address, "syntax = \"proto3\";\npackage geo;\nmessage Address { string city = 1; }\n");
        await File.WriteAllTextAsync(customer, "syntax = \"proto3\";\nimport \"geo/address.proto\";\nmessage Customer { string name = 1; geo.Address address = 2; }\n");
        await File.WriteAllTextAsync(narrowed, "syntax = \"proto3\";\nimport \"geo/address.proto\";\nmessage Customer { int32 name = 1; geo.Address address = 2; }\n");
        await File.WriteAllTextAsync(shipment, """{"type":"object","properties":{"id":{"type":"string"}}}""");
        try
        {
            var addressRun = await cluster.RunAsync("schemas", "register", $"address-{id}-value", "--file", address, "-o", "json");
            var reference = $"geo/address.proto=address-{id}-value:1";
            var customerRun = await cluster.RunAsync("schemas", "register", $"customer-{id}-value", "--file", customer, "--reference", reference, "-o", "json");
            var unresolved = await cluster.RunAsync("schemas", "register", $"customer-{id}-other", "--file", customer);
            var refused = await cluster.RunAsync("schemas", "check", $"customer-{id}-value", "--file", narrowed, "--reference", reference, "-o", "json");
            var jsonRun = await cluster.RunAsync("schemas", "register", $"shipment-{id}-value", "--file", shipment, "-o", "json");
            var got = await cluster.RunAsync("schemas", "get", $"customer-{id}-value", "-o", "json");
            var badReference = await cluster.RunAsync("schemas", "check", $"customer-{id}-value", "--file", customer, "--reference", "geo/address.proto");

            Assert.True(addressRun.ExitCode == 0, addressRun.ToString());
            Assert.True(customerRun.ExitCode == 0, customerRun.ToString());
            Assert.Equal(1, Assert.Single(customerRun.Json.EnumerateArray()).GetProperty("version").GetInt32());
            Assert.Equal(1, unresolved.ExitCode);
            Assert.Contains("geo/address.proto", unresolved.Error, StringComparison.Ordinal);
            Assert.Equal(1, refused.ExitCode);
            Assert.False(refused.Json.GetProperty("compatible").GetBoolean());
            Assert.True(jsonRun.ExitCode == 0, jsonRun.ToString());
            Assert.Equal("PROTOBUF", got.Json.GetProperty("type").GetString());
            Assert.Contains("message Customer", got.Json.GetProperty("schema").GetString(), StringComparison.Ordinal);
            Assert.Equal(2, badReference.ExitCode);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
