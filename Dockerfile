# syntax=docker/dockerfile:1
# The tracestitch image: ghcr.io/tracestitch/tracestitch:0.1.0 (deploy/k8s/base uses this tag).
#   docker build -t ghcr.io/tracestitch/tracestitch:0.1.0 .
# Only the build's inputs reach the build context (see .dockerignore).

# --- build: the shaded jar, built exactly as `mvn package` builds it on a workstation -----------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
# The POM and every source directory it builds from: schemas/ (Avro), topology/ and serdes/ (added
# by build-helper), src/. The cache mount keeps ~/.m2 between builds (BuildKit).
COPY pom.xml ./
COPY schemas ./schemas
COPY topology ./topology
COPY serdes ./serdes
COPY src ./src
RUN --mount=type=cache,target=/root/.m2 mvn -B -DskipTests package

# --- runtime: a JRE and the jar, nothing else ------------------------------------------------
FROM eclipse-temurin:17-jre
LABEL org.opencontainers.image.title="tracestitch" \
      org.opencontainers.image.description="Stitches OpenTelemetry spans and business events into workflow graphs and alerts on Kafka Streams." \
      org.opencontainers.image.version="0.1.0"
# A fixed non-root uid/gid that the Kubernetes securityContext (runAsUser 10001) names as well.
RUN groupadd --system --gid 10001 tracestitch \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin tracestitch \
 && mkdir -p /etc/tracestitch /var/lib/tracestitch \
 && chown 10001:10001 /var/lib/tracestitch
COPY --from=build /build/target/tracestitch.jar /opt/tracestitch/tracestitch.jar
USER 10001:10001
# Kafka Streams state (state.dir); a volume in Kubernetes.
VOLUME /var/lib/tracestitch
# The HTTP server (http.port): health, readiness, /metrics, the workflow API.
EXPOSE 8080
# Exec form: java is PID 1 and receives SIGTERM itself, which closes Kafka Streams cleanly.
ENTRYPOINT ["java","-jar","/opt/tracestitch/tracestitch.jar"]
CMD ["run","--config","/etc/tracestitch/tracestitch.properties"]
