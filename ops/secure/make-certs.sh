#!/bin/sh
# Makes what the `secure` profile of docker-compose.kafka.yml needs, into $1 (default /certs; the compose file mounts
# ops/secure/generated there): a development CA, the broker's TLS key pair signed by it (names kafka-secure and
# localhost), trust stores, the schema registry's basic-auth users, and client properties for the admin user. Runs
# in the Kafka image (keytool) as the `secure-init` service. Nothing here is committed: the CA key never leaves
# this directory, and passwords come from the environment (development defaults otherwise).
set -eu
dir=${1:-/certs}
mkdir -p "$dir"
cd "$dir"
store=${STREAMS_SSL_PASSWORD:-streams-dev-store}

if [ ! -f kafka.p12 ]; then
  rm -f ca.p12 ca.pem kafka.csr kafka.pem truststore.p12
  keytool -genkeypair -alias ca -dname "CN=Streams development CA" -ext bc:c -keyalg RSA -keysize 2048 -validity 825 \
    -keystore ca.p12 -storetype PKCS12 -storepass "$store"
  keytool -exportcert -rfc -alias ca -keystore ca.p12 -storepass "$store" > ca.pem
  keytool -genkeypair -alias kafka -dname "CN=kafka-secure" -keyalg RSA -keysize 2048 -validity 825 \
    -keystore kafka.p12 -storetype PKCS12 -storepass "$store"
  keytool -certreq -alias kafka -keystore kafka.p12 -storepass "$store" -file kafka.csr
  keytool -gencert -alias ca -keystore ca.p12 -storepass "$store" -infile kafka.csr -outfile kafka.pem -rfc \
    -ext san=dns:kafka-secure,dns:localhost,ip:127.0.0.1 -validity 825
  keytool -importcert -noprompt -alias ca -file ca.pem -keystore kafka.p12 -storepass "$store"
  keytool -importcert -noprompt -alias kafka -file kafka.pem -keystore kafka.p12 -storepass "$store"
  keytool -importcert -noprompt -alias ca -file ca.pem -keystore truststore.p12 -storetype PKCS12 -storepass "$store"
  rm -f kafka.csr
fi

admin=${STREAMS_ADMIN_PASSWORD:-admin-secret}

# The admin (a super user) for the broker's health check and inter-broker traffic, in the Java clients' form.
cat > admin-java.properties <<PROPS
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$admin";
ssl.truststore.location=$dir/truststore.p12
ssl.truststore.type=PKCS12
ssl.truststore.password=$store
PROPS

# The same admin for the streams CLI on the host (librdkafka names), run from the repository root:
#   streams --config ops/secure/generated/admin.properties acls apply --execute
cat > admin.properties <<PROPS
bootstrap.servers=localhost:9096
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.username=admin
sasl.password=$admin
ssl.ca.location=ops/secure/generated/ca.pem
schema.registry.url=http://localhost:8082
basic.auth.credentials.source=USER_INFO
basic.auth.user.info=admin:$admin
PROPS

# Schema registry users for HTTP basic auth (Jetty's property-file login: name: password,role).
cat > registry-users.properties <<PROPS
admin: $admin,admin
streams-worker: ${STREAMS_REGISTRY_WORKER_PASSWORD:-streams-worker-secret},developer
reader: ${STREAMS_REGISTRY_READER_PASSWORD:-reader-secret},user
PROPS
cat > registry-jaas.conf <<PROPS
SchemaRegistry {
  org.eclipse.jetty.security.jaas.spi.PropertyFileLoginModule required
  file="$dir/registry-users.properties"
  debug="false";
};
PROPS

chmod 644 ./*.properties ./*.conf ./*.pem ./*.p12
echo "secure-init: certificates and client settings in $dir"
