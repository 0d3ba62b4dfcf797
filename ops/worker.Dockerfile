# The Streams worker as a container (docker-compose.kafka.yml, profile `app`). Build context: the repository root.
#   docker build -f ops/worker.Dockerfile -t streams-worker:local .
# Configuration by environment: Kafka__BootstrapServers (and Kafka__Sasl*, Kafka__Ssl*), SchemaRegistry__Url, Streams__DataDirectory,
# Streams__HttpUrl, OTEL_EXPORTER_OTLP_ENDPOINT (see the compose file).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files only, so a source change does not invalidate the package layer.
COPY Directory.Build.props Directory.Packages.props ./
COPY src/Streams.Broker/Streams.Broker.csproj src/Streams.Broker/
COPY src/Streams.Registry/Streams.Registry.csproj src/Streams.Registry/
COPY src/Streams.Contracts/Streams.Contracts.csproj src/Streams.Contracts/
COPY src/Streams.Contracts.Generator/Streams.Contracts.Generator.csproj src/Streams.Contracts.Generator/
COPY src/Streams.Messaging/Streams.Messaging.csproj src/Streams.Messaging/
COPY src/Streams.Topology/Streams.Topology.csproj src/Streams.Topology/
COPY src/Streams.Worker/Streams.Worker.csproj src/Streams.Worker/
RUN dotnet restore src/Streams.Worker/Streams.Worker.csproj
# The contracts are generated from schemas/ at build time.
COPY schemas/ schemas/
COPY src/ src/
RUN dotnet publish src/Streams.Worker/Streams.Worker.csproj -c Release --no-restore -o /app -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
# Topology state (RocksDB) and the audit database live under /data (a volume in the compose file), owned by the
# image's non-root user.
RUN mkdir -p /data && chown "$APP_UID" /data
USER $APP_UID
ENV Streams__DataDirectory=/data \
    Streams__HttpUrl=http://0.0.0.0:8080
EXPOSE 8080
VOLUME /data
ENTRYPOINT ["dotnet", "Streams.Worker.dll"]
