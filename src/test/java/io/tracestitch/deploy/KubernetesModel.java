package io.tracestitch.deploy;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes objects parsed the way the API server would take them, not the way a forgiving client
 * would. Built-in kinds go into fabric8's generated model classes with every unknown field an error:
 * those classes collect unknown fields in an {@code additionalProperties} map through a Jackson
 * any-setter, so FAIL_ON_UNKNOWN_PROPERTIES alone would accept anything; the any-setter is removed
 * here. Scalars are not coerced either ({@code replicas: "3"} or an unquoted {@code true} annotation
 * fail, as they fail in Go). Custom resources are checked against {@link #CUSTOM_RESOURCES}.
 */
final class KubernetesModel {
  static final ObjectMapper STRICT = strictMapper();

  /** apiVersion/kind of every built-in kind the deployment may use; any other kind is an error. */
  static final Map<String, Class<?>> BUILT_IN = Map.of(
      "v1/ServiceAccount", ServiceAccount.class,
      "v1/ConfigMap", ConfigMap.class,
      "v1/Service", Service.class,
      "apps/v1/StatefulSet", StatefulSet.class,
      "apps/v1/Deployment", io.fabric8.kubernetes.api.model.apps.Deployment.class,
      "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
      "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class);

  private static final Shape NAME = Shape.matching("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
  private static final Shape DURATION = Shape.matching("[0-9]+(ms|s|m|h)");
  private static final Shape STRING_TRUE_FALSE = Shape.oneOf("true", "false");

  /** The spec of each custom resource, as far as this deployment uses it. */
  static final Map<String, Shape> CUSTOM_RESOURCES = Map.of(
      // Prometheus Operator, monitoring.coreos.com/v1.
      "monitoring.coreos.com/v1/ServiceMonitor", Shape.object()
          .required("selector", typed(LabelSelector.class))
          .optional("namespaceSelector", Shape.object()
              .optional("any", Shape.checkedBy(n -> n.isBoolean() ? null : "expected a boolean"))
              .optional("matchNames", Shape.list(NAME)))
          .optional("jobLabel", Shape.string())
          .required("endpoints", Shape.list(Shape.object()
              .required("port", Shape.string())
              .optional("path", Shape.matching("/.*"))
              .optional("scheme", Shape.oneOf("http", "https"))
              .optional("interval", DURATION)
              .optional("scrapeTimeout", DURATION))),
      // KEDA, keda.sh/v1alpha1. Trigger metadata is map[string]string: numbers must be quoted.
      "keda.sh/v1alpha1/ScaledObject", Shape.object()
          .required("scaleTargetRef", Shape.object()
              .optional("apiVersion", Shape.string())
              .optional("kind", Shape.string())
              .required("name", NAME))
          .optional("pollingInterval", Shape.integer(1, 3600))
          .optional("cooldownPeriod", Shape.integer(0, 86_400))
          .optional("minReplicaCount", Shape.integer(0, 1000))
          .optional("maxReplicaCount", Shape.integer(1, 1000))
          .optional("advanced", Shape.object()
              .optional("restoreToOriginalReplicaCount", Shape.checkedBy(n -> n.isBoolean() ? null : "expected a boolean"))
              .optional("horizontalPodAutoscalerConfig", Shape.object()
                  .optional("name", NAME)
                  .optional("behavior", typed(HorizontalPodAutoscalerBehavior.class))))
          .required("triggers", Shape.list(Shape.object()
              .required("type", Shape.oneOf("kafka"))
              .optional("name", Shape.string())
              .required("metadata", Shape.object()
                  .required("bootstrapServers", Shape.string())
                  .required("consumerGroup", Shape.string())
                  .required("topic", Shape.string())
                  .required("lagThreshold", Shape.matching("[0-9]+"))
                  .optional("activationLagThreshold", Shape.matching("[0-9]+"))
                  .optional("offsetResetPolicy", Shape.oneOf("earliest", "latest"))
                  .optional("allowIdleConsumers", STRING_TRUE_FALSE)
                  .optional("limitToPartitionsWithLag", STRING_TRUE_FALSE)
                  .optional("excludePersistentLag", STRING_TRUE_FALSE)
                  .optional("scaleToZeroOnInvalidOffset", STRING_TRUE_FALSE)
                  .optional("sasl", Shape.oneOf("none", "plaintext", "scram_sha256", "scram_sha512", "oauthbearer",
                      "gssapi", "aws_msk_iam"))
                  .optional("tls", Shape.oneOf("enable", "disable")))
              .optional("authenticationRef", Shape.object()
                  .required("name", NAME)
                  .optional("kind", Shape.oneOf("TriggerAuthentication", "ClusterTriggerAuthentication"))))),
      "keda.sh/v1alpha1/TriggerAuthentication", Shape.object()
          .required("secretTargetRef", Shape.list(Shape.object()
              .required("parameter", Shape.oneOf("username", "password", "sasl", "tls", "ca", "cert", "key",
                  "keyPassword"))
              .required("name", NAME)
              .required("key", Shape.matching("[-._a-zA-Z0-9]+")))),
      // Strimzi, kafka.strimzi.io/v1beta2.
      "kafka.strimzi.io/v1beta2/KafkaTopic", Shape.object()
          .optional("topicName", Shape.matching("[a-zA-Z0-9._-]{1,249}"))
          .required("partitions", Shape.integer(1, 100_000))
          .required("replicas", Shape.integer(1, 32_767))
          .optional("config", Shape.mapOf(Shape.scalar())));

  private KubernetesModel() {}

  static String id(JsonNode resource) {
    return resource.path("apiVersion").asText() + "/" + resource.path("kind").asText();
  }

  /** Every problem of a whole resource: unknown kind, unknown or mistyped field, missing name. */
  static List<String> problems(JsonNode resource) {
    String id = id(resource);
    if (!resource.path("metadata").path("name").isTextual()) {
      return List.of(id + ": metadata.name is missing");
    }
    return problemsOfPart(resource, id);
  }

  /**
   * Problems of a strategic merge patch: the same typed parse as a whole resource (every field of
   * fabric8's classes is optional, so a partial object parses when each field it has is right).
   */
  static List<String> problemsOfPatch(JsonNode patch) {
    return problemsOfPart(patch, id(patch));
  }

  private static List<String> problemsOfPart(JsonNode resource, String id) {
    Class<?> type = BUILT_IN.get(id);
    if (type != null) {
      String problem = typedProblem(resource, type);
      return problem == null ? List.of() : List.of(id + " " + resource.path("metadata").path("name").asText() + ": " + problem);
    }
    Shape spec = CUSTOM_RESOURCES.get(id);
    if (spec == null) {
      return List.of("unknown apiVersion/kind " + id + " (known: " + BUILT_IN.keySet() + " and "
          + CUSTOM_RESOURCES.keySet() + ")");
    }
    Shape whole = Shape.object()
        .required("apiVersion", Shape.string())
        .required("kind", Shape.string())
        .required("metadata", typed(ObjectMeta.class))
        .required("spec", spec);
    return whole.problems(resource).stream()
        .map(p -> id + " " + resource.path("metadata").path("name").asText() + p)
        .toList();
  }

  static <T> T as(JsonNode resource, Class<T> type) {
    try {
      return STRICT.treeToValue(resource, type);
    } catch (Exception e) {
      throw new IllegalArgumentException(type.getSimpleName() + " does not parse strictly: " + e.getMessage(), e);
    }
  }

  private static String typedProblem(JsonNode node, Class<?> type) {
    try {
      STRICT.treeToValue(node, type);
      return null;
    } catch (Exception e) {
      return e.getMessage().lines().findFirst().orElse(e.toString()) + " " + pathOf(e);
    }
  }

  private static String pathOf(Exception e) {
    return e instanceof com.fasterxml.jackson.databind.JsonMappingException m ? "at " + m.getPathReference() : "";
  }

  private static Shape typed(Class<?> type) {
    return Shape.checkedBy(node -> typedProblem(node, type));
  }

  private static ObjectMapper strictMapper() {
    SimpleModule noAnySetter = new SimpleModule("no-additional-properties");
    noAnySetter.setDeserializerModifier(new BeanDeserializerModifier() {
      @Override
      public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription description,
          BeanDeserializerBuilder builder) {
        if (description.getBeanClass().getName().startsWith("io.fabric8.")) {
          // Without this, an unknown field lands in additionalProperties instead of failing.
          builder.setAnySetter(null);
        }
        return builder;
      }
    });
    JsonMapper mapper = JsonMapper.builder()
        .addModule(noAnySetter)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_IGNORED_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .build();
    // Go's decoder takes no number for a string and no string for a number or a boolean.
    for (CoercionInputShape shape : List.of(CoercionInputShape.Integer, CoercionInputShape.Float,
        CoercionInputShape.Boolean)) {
      mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
    }
    mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
    mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
    return mapper;
  }
}
