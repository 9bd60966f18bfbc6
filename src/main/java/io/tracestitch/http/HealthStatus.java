package io.tracestitch.http;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A liveness or readiness answer of a command that has no Kafka Streams instance behind it (deliver-alerts):
 * 200 with the body when {@code ok}, else 503 with it. The body should say why, in a sentence, when not ok.
 */
public record HealthStatus(boolean ok, ObjectNode body) {}
