#!/bin/bash
# Starts the `secure` profile's Kafka (KRaft, one combined node): SASL_SSL listeners with SCRAM, ACLs by
# StandardAuthorizer, and the SCRAM users of the topic catalog's service principals created at format time
# (kafka-storage format --add-scram, the KRaft way to have users before the first client connects).
set -euo pipefail
certs=/certs
store=${STREAMS_SSL_PASSWORD:-streams-dev-store}
admin=${STREAMS_ADMIN_PASSWORD:-admin-secret}
config=/tmp/kafka-secure.properties

cat > "$config" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@kafka-secure:9093
controller.listener.names=CONTROLLER
# INTERNAL for containers (kafka-secure:9092), EXTERNAL for the host (localhost:9096); both SASL_SSL.
# The controller listener stays PLAINTEXT inside the container's network: its principal is User:ANONYMOUS, which
# therefore is a super user (the controller only serves KRaft's own APIs there; the port is not published).
listeners=INTERNAL://:9092,CONTROLLER://:9093,EXTERNAL://:9096
advertised.listeners=INTERNAL://kafka-secure:9092,EXTERNAL://localhost:9096
listener.security.protocol.map=CONTROLLER:PLAINTEXT,INTERNAL:SASL_SSL,EXTERNAL:SASL_SSL
inter.broker.listener.name=INTERNAL
sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.internal.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$admin";
ssl.keystore.location=$certs/kafka.p12
ssl.keystore.type=PKCS12
ssl.keystore.password=$store
ssl.key.password=$store
ssl.truststore.location=$certs/truststore.p12
ssl.truststore.type=PKCS12
ssl.truststore.password=$store
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:admin;User:ANONYMOUS
allow.everyone.if.no.acl.found=false
log.dirs=/tmp/kraft-secure-logs
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
PROPS

# One SCRAM user per service principal of the topic catalog (Streams.Contracts.Topics.ServicePrincipals), plus admin.
scram=(--add-scram "SCRAM-SHA-512=[name=admin,password=$admin]")
for service in streams-publisher streams-topology streams-audit streams-notifier streams-registry; do
  variable="STREAMS_PASSWORD_$(echo "$service" | tr 'a-z-' 'A-Z_')"
  scram+=(--add-scram "SCRAM-SHA-512=[name=$service,password=${!variable:-$service-secret}]")
done

/opt/kafka/bin/kafka-storage.sh format --config "$config" --cluster-id "${CLUSTER_ID}" --ignore-formatted "${scram[@]}"
exec /opt/kafka/bin/kafka-server-start.sh "$config"
