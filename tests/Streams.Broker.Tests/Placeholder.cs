namespace Streams.Broker.Tests;
