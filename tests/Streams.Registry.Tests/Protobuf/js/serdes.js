// Drives Confluent's JavaScript Protobuf serializer and deserializer against a schema registry.
// Usage: node serdes.js <registry url> <topic> <mode>
//   mode "auto":   default settings (the serializer registers the schema it is given as a descriptor)
//   mode "latest": useLatestVersion with autoRegisterSchemas false (the subject's latest version is used)
// Prints one JSON line: the schema id in the payload, the payload as hex, and the message the deserializer read back.
const { SchemaRegistryClient, SerdeType, ProtobufSerializer, ProtobufDeserializer } = require('@confluentinc/schemaregistry');
const { create, createFileRegistry, toJson } = require('@bufbuild/protobuf');
const { FileDescriptorProtoSchema, file_google_protobuf_timestamp, timestampFromMs } = require('@bufbuild/protobuf/wkt');

async function main() {
  const [url, topic, mode] = process.argv.slice(2);
  // shop/order.proto, built as a descriptor (what generated code holds), with a nested message and a well-known import.
  const T = { string: 9, double: 1, int64: 3, message: 11 };
  const file = create(FileDescriptorProtoSchema, {
    name: 'shop/order.proto',
    package: 'shop',
    syntax: 'proto3',
    dependency: ['google/protobuf/timestamp.proto'],
    messageType: [{
      name: 'Order',
      field: [
        { name: 'id', number: 1, label: 1, type: T.string, jsonName: 'id' },
        { name: 'amount', number: 2, label: 1, type: T.double, jsonName: 'amount' },
        { name: 'placed', number: 3, label: 1, type: T.message, typeName: '.google.protobuf.Timestamp', jsonName: 'placed' },
        { name: 'tags', number: 4, label: 3, type: T.string, jsonName: 'tags' },
        { name: 'lines', number: 5, label: 3, type: T.message, typeName: '.shop.Order.Line', jsonName: 'lines' },
      ],
      nestedType: [{
        name: 'Line',
        field: [
          { name: 'sku', number: 1, label: 1, type: T.string, jsonName: 'sku' },
          { name: 'quantity', number: 2, label: 1, type: T.int64, jsonName: 'quantity' },
        ],
      }],
    }],
  });
  const registry = createFileRegistry(file, (name) => name === 'google/protobuf/timestamp.proto' ? file_google_protobuf_timestamp : undefined);
  const Order = registry.getMessage('shop.Order');
  const Line = registry.getMessage('shop.Order.Line');

  const client = new SchemaRegistryClient({ baseURLs: [url] });
  const config = mode === 'latest' ? { useLatestVersion: true, autoRegisterSchemas: false, registry } : { autoRegisterSchemas: true, registry };
  const serializer = new ProtobufSerializer(client, SerdeType.VALUE, config);
  const deserializer = new ProtobufDeserializer(client, SerdeType.VALUE, {});

  const order = create(Order, {
    id: 'o-1',
    amount: 12.5,
    placed: timestampFromMs(1700000000000),
    tags: ['gift', 'express'],
    lines: [create(Line, { sku: 'A-1', quantity: 2n }), create(Line, { sku: 'B-7', quantity: 1n })],
  });
  const bytes = await serializer.serialize(topic, order);
  const read = await deserializer.deserialize(topic, bytes);
  console.log(JSON.stringify({
    id: bytes.readInt32BE(1),
    hex: bytes.toString('hex'),
    read: toJson(read.$typeName === 'shop.Order' ? Order : Line, read),
  }));
}

main().catch((e) => { console.error(e && e.stack ? e.stack : String(e)); process.exit(1); });
