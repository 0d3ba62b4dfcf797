using Streamiz.Kafka.Net.SerDes;
using Streams.Contracts.Logins;
using Streams.Contracts.Topics;
using Streams.Topology.Logins;
using Streams.Topology.Serdes;

namespace Streams.Topology.Tests;

public sealed class LoginMonitoringTopologyTests(RegistryFixture registry) : IClassFixture<RegistryFixture>
{
    private static readonly DateTime WindowStart = new(2026, 11, 27, 9, 0, 0, DateTimeKind.Utc);

    private static EmployeeLoggedIn Login(string employee, bool failed, DateTime at) => new()
    {
        eventId = Guid.NewGuid().ToString(), occurredAt = at, employeeId = employee, application = "payroll", sourceAddress = "10.1.2.3",
        outcome = failed ? LoginOutcome.Failed : LoginOutcome.Succeeded, failureReason = failed ? "wrong password" : null,
    };

    private (Streamiz.Kafka.Net.Mock.TopologyTestDriver Driver, Action<EmployeeLoggedIn> Pipe, Func<List<SecurityAlert>> Alerts) Start(int threshold = 5)
    {
        var driver = TestDriver.Create(b => LoginMonitoringTopology.Build(b, registry.Client, new LoginMonitoringOptions { FailureThreshold = threshold, Window = TimeSpan.FromMinutes(5) }));
        var input = driver.CreateInputTopic(TopicCatalog.Logins.Name, new StringSerDes(), new AvroSerDes<EmployeeLoggedIn>(registry.Client, TopicCatalog.Logins.SubjectNaming));
        var output = driver.CreateOutputTopic(TopicCatalog.SecurityAlerts.Name, TimeSpan.FromSeconds(1), new StringSerDes(), new AvroSerDes<SecurityAlert>(registry.Client, TopicCatalog.SecurityAlerts.SubjectNaming));
        return (driver, login => input.PipeInput(login.employeeId, login, login.occurredAt), () => [.. output.ReadKeyValueList().Select(r => r.Message.Value)]);
    }

    [Fact]
    public void Five_failures_within_the_window_raise_one_alert()
    {
        var (driver, pipe, alerts) = Start();
        using (driver)
        {
            for (var i = 0; i < 7; i++)
            {
                pipe(Login("e-1", failed: true, WindowStart.AddSeconds(30 * i)));
            }

            var alert = Assert.Single(alerts());
            Assert.Equal("e-1", alert.employeeId);
            Assert.Equal(5, alert.failedAttempts);
            Assert.Equal(WindowStart, alert.windowStart);
            Assert.Equal(WindowStart.AddMinutes(5), alert.windowEnd);
        }
    }

    [Fact]
    public void Successes_and_other_employees_do_not_count()
    {
        var (driver, pipe, alerts) = Start();
        using (driver)
        {
            for (var i = 0; i < 4; i++)
            {
                pipe(Login("e-2", failed: true, WindowStart.AddSeconds(10 * i)));
                pipe(Login("e-2", failed: false, WindowStart.AddSeconds((10 * i) + 5)));
                pipe(Login("e-3", failed: true, WindowStart.AddSeconds((10 * i) + 6)));
            }

            Assert.Empty(alerts());
        }
    }

    [Fact]
    public void Failures_in_different_windows_are_counted_apart()
    {
        var (driver, pipe, alerts) = Start(threshold: 3);
        using (driver)
        {
            pipe(Login("e-4", failed: true, WindowStart.AddMinutes(3)));
            pipe(Login("e-4", failed: true, WindowStart.AddMinutes(4)));
            pipe(Login("e-4", failed: true, WindowStart.AddMinutes(6)));
            pipe(Login("e-4", failed: true, WindowStart.AddMinutes(7)));
            Assert.Empty(alerts());

            pipe(Login("e-4", failed: true, WindowStart.AddMinutes(8)));
            Assert.Equal(WindowStart.AddMinutes(5), Assert.Single(alerts()).windowStart);
        }
    }

    [Fact]
    public void A_failure_at_the_window_end_belongs_to_the_next_window()
    {
        var (driver, pipe, alerts) = Start(threshold: 3);
        using (driver)
        {
            pipe(Login("e-5", failed: true, WindowStart.AddMinutes(4).AddSeconds(58)));
            pipe(Login("e-5", failed: true, WindowStart.AddMinutes(4).AddSeconds(59)));
            pipe(Login("e-5", failed: true, WindowStart.AddMinutes(5)));

            Assert.Empty(alerts());
        }
    }

    [Fact]
    public void A_late_failure_still_counts_in_the_window_it_happened_in()
    {
        var (driver, pipe, alerts) = Start(threshold: 3);
        using (driver)
        {
            pipe(Login("e-6", failed: true, WindowStart.AddMinutes(1)));
            pipe(Login("e-6", failed: true, WindowStart.AddMinutes(2)));
            pipe(Login("e-6", failed: false, WindowStart.AddMinutes(12))); // stream time moves past the window
            pipe(Login("e-6", failed: true, WindowStart.AddMinutes(3))); // arrives late, happened inside it

            var alert = Assert.Single(alerts());
            Assert.Equal(WindowStart, alert.windowStart);
        }
    }
}
