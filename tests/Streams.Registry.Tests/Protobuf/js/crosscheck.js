// Checks another encoder's Protobuf records against Confluent's JavaScript serdes (the CLI's tests drive it).
// Usage: node crosscheck.js <registry url> <topic> decode <hex>...
//          Deserializes each value with ProtobufDeserializer; prints one JSON line per value: {type, value}.
//        node crosscheck.js <registry url> <topic> encode <message full name> <json>...
//          Serializes each JSON message with ProtobufSerializer (useLatestVersion, no auto-registration) as the
//          named message of the subject's latest schema; prints one hex line per value.
// The message types come from the subject's latest schema, read back serialized (a FileDescriptorProto).
const { SchemaRegistryClient, SerdeType, ProtobufSerializer, ProtobufDeserializer } = require('@confluentinc/schemaregistry');
const { createFileRegistry, fromBinary, fromJson, toJson } = require('@bufbuild/protobuf');
const wkt = require('@bufbuild/protobuf/wkt');

async function fileRegistry(url, subject) {
  const response = await fetch(`${url}/subjects/${subject}/versions/latest?format=serialized`);
  if (!response.ok) throw new Error(`latest of ${subject}: ${response.status} ${await response.text()}`);
  const file = fromBinary(wkt.FileDescriptorProtoSchema, Buffer.from((await response.json()).schema, 'base64'));
  const wellKnown = {
    'google/protobuf/timestamp.proto': wkt.file_google_protobuf_timestamp,
    'google/protobuf/duration.proto': wkt.file_google_protobuf_duration,
  };
  return createFileRegistry(file, (name) => wellKnown[name]);
}

async function main() {
  const [url, topic, mode, ...rest] = process.argv.slice(2);
  const registry = await fileRegistry(url, `${topic}-value`);
  const client = new SchemaRegistryClient({ baseURLs: [url] });
  if (mode === 'decode') {
    const deserializer = new ProtobufDeserializer(client, SerdeType.VALUE, {});
    for (const hex of rest) {
      const message = await deserializer.deserialize(topic, Buffer.from(hex, 'hex'));
      console.log(JSON.stringify({ type: message.$typeName, value: toJson(registry.getMessage(message.$typeName), message) }));
    }
  } else if (mode === 'encode') {
    const [name, ...values] = rest;
    const type = registry.getMessage(name);
    if (!type) throw new Error(`no message ${name}`);
    const serializer = new ProtobufSerializer(client, SerdeType.VALUE, { useLatestVersion: true, autoRegisterSchemas: false, registry });
    for (const json of values) {
      const bytes = await serializer.serialize(topic, fromJson(type, JSON.parse(json)));
      console.log(bytes.toString('hex'));
    }
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
}

main().catch((e) => { console.error(e && e.stack ? e.stack : String(e)); process.exit(1); });
