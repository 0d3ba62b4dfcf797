using System.CommandLine;
using Microsoft.Extensions.Options;
using Streams.Registry.Hosting;
using Streams.Registry.Security;
using Streams.ServiceDefaults;

var kafka = new Option<string>("--kafka")
{
    Description = "bootstrap.servers of the Kafka holding the _schemas topic",
    DefaultValueFactory = _ => "127.0.0.1:9092",
};
var listen = new Option<string>("--listen")
{
    Description = "HTTP address to serve, e.g. http://127.0.0.1:8081 (port 0 picks a free port)",
    DefaultValueFactory = _ => "http://127.0.0.1:8081",
};
var topic = new Option<string>("--topic") { Description = "Topic holding schemas and configs", DefaultValueFactory = _ => "_schemas" };
var follower = new Option<bool>("--read-only-follower") { Description = "Serve reads and follow the topic; refuse writes" };
var maxBody = new Option<long>("--max-request-body-bytes")
{
    Description = "Largest request body accepted; larger ones are answered 413",
    DefaultValueFactory = _ => Streams.Registry.SchemaRegistryOptions.DefaultMaxRequestBodyBytes,
};
var user = new Option<string?>("--basic-auth-user") { Description = "Require HTTP basic authentication with this admin user (password from SCHEMA_REGISTRY_PASSWORD)" };
var usersFile = new Option<string?>("--users-file")
{
    Description = "Require HTTP basic authentication with the users of this file, one 'name: password,role' a line (roles admin, developer, read-only; passwords may be pbkdf2: hashes from 'hash-password')",
};
var realm = new Option<string?>("--realm") { Description = "Realm of the basic authentication challenge (default SchemaRegistry)" };
var tlsCertificate = new Option<string?>("--tls-certificate")
{
    Description = "Server certificate for an https:// --listen: PEM (certificate and chain) or PKCS12 (.p12/.pfx); password from SCHEMA_REGISTRY_TLS_PASSWORD",
};
var tlsKey = new Option<string?>("--tls-key") { Description = "PEM private key of a PEM --tls-certificate" };
var tlsClientAuth = new Option<RegistryClientAuthentication?>("--tls-client-auth") { Description = "Client certificates: None, Requested or Required (mutual TLS)" };
var tlsTrust = new Option<string?>("--tls-truststore") { Description = "PEM file of the CAs client certificates must chain to" };
var kafkaSet = new Option<string[]>("--kafka-set")
{
    Description = "A librdkafka setting for the registry's Kafka clients, e.g. --kafka-set security.protocol=SASL_SSL (repeatable; secrets better in Registry__KafkaSettings__<name>)",
    Arity = ArgumentArity.ZeroOrMore,
};

var hashPassword = new Command("hash-password", "Reads a password from standard input and prints its pbkdf2: hash for a users file or Registry__Users__N__Password");
hashPassword.SetAction(async (_, cancellationToken) =>
{
    var password = (await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false))?.TrimEnd('\r', '\n');
    if (string.IsNullOrEmpty(password))
    {
        await Console.Error.WriteLineAsync("No password on standard input.").ConfigureAwait(false);
        return 2;
    }

    await Console.Out.WriteLineAsync(PasswordHash.Create(password)).ConfigureAwait(false);
    return 0;
});

var root = new RootCommand("Streams schema registry: Confluent Schema Registry's REST API for Avro and JSON Schema, stored in a Kafka topic. Further settings from the environment, section Registry (Registry__Users__0__Name, Registry__Tls__CertificatePath, Registry__KafkaSettings__sasl.password, ...).")
{
    kafka, listen, topic, follower, maxBody, user, usersFile, realm, tlsCertificate, tlsKey, tlsClientAuth, tlsTrust, kafkaSet, hashPassword,
};

root.SetAction(async (parse, cancellationToken) =>
{
    // The same Generic Host model as the broker and the worker: logging, OpenTelemetry and OTEL_* settings from the
    // environment, SIGTERM/Ctrl+C handled by the host's lifetime, options validated before anything connects.
    var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
    builder.Configuration.AddEnvironmentVariables();
    builder.AddServiceDefaults("streams-registry");
    var section = builder.Configuration.GetSection("Registry");
    builder.Services.AddSchemaRegistry(o =>
    {
        // The section first, so that what the command line says wins over it.
        section.Bind(o);
        o.KafkaBootstrapServers = parse.GetValue(kafka)!;
        o.Listen = parse.GetValue(listen)!;
        o.Topic = parse.GetValue(topic)!;
        o.ReadOnlyFollower = parse.GetValue(follower);
        o.MaxRequestBodyBytes = parse.GetValue(maxBody);
        o.BasicAuthUser = parse.GetValue(user);
        // Never on the command line, where other users of the machine can read it.
        o.BasicAuthPassword = builder.Configuration["SCHEMA_REGISTRY_PASSWORD"];
        o.UsersFile = parse.GetValue(usersFile) ?? o.UsersFile;
        o.AuthenticationRealm = parse.GetValue(realm) ?? o.AuthenticationRealm;
        o.Tls.CertificatePath = parse.GetValue(tlsCertificate) ?? o.Tls.CertificatePath;
        o.Tls.KeyPath = parse.GetValue(tlsKey) ?? o.Tls.KeyPath;
        o.Tls.Password = builder.Configuration["SCHEMA_REGISTRY_TLS_PASSWORD"] ?? o.Tls.Password;
        o.Tls.ClientAuthentication = parse.GetValue(tlsClientAuth) ?? o.Tls.ClientAuthentication;
        o.Tls.TrustedCertificatesPath = parse.GetValue(tlsTrust) ?? o.Tls.TrustedCertificatesPath;
        foreach (var (key, value) in KafkaSettingArguments.Parse(parse.GetValue(kafkaSet) ?? []))
        {
            o.KafkaSettings[key] = value;
        }
    });
    using var app = builder.Build();
    try
    {
        await app.RunAsync(cancellationToken).ConfigureAwait(false);
    }
    catch (OptionsValidationException ex)
    {
        await Console.Error.WriteLineAsync(string.Join(Environment.NewLine, ex.Failures)).ConfigureAwait(false);
        return 2;
    }

    return 0;
});

return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);
