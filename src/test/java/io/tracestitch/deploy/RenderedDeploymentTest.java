package io.tracestitch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.tracestitch.app.TracestitchApp;
import io.tracestitch.config.TracestitchConfig;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The base and every overlay, rendered, held against what the application really reads and does:
 * its settings, its HTTP port and endpoints, its state directory, its shutdown timeout.
 */
class RenderedDeploymentTest {
  static final String IMAGE = "ghcr.io/tracestitch/tracestitch:0.1.0";

  @TempDir
  Path tmp;

  static List<Deployment> variants() {
    return Deployment.variants().stream().map(Deployment::render).toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void shouldParseEveryRenderedResourceStrictly(Deployment d) {
    List<String> problems = new ArrayList<>();
    d.resources.forEach(r -> problems.addAll(KubernetesModel.problems(r)));

    assertThat(problems).isEmpty();
    assertThat(d.ofKind("StatefulSet")).hasSize(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void shouldPutOnlySettingsTracestitchOrKafkaKnowsInTheConfigFile(Deployment d) {
    List<String> unknown = d.fileSettings(tmp).keySet().stream().filter(k -> !KnownSettings.isKnown(k)).toList();

    assertThat(unknown).as("keys neither TracestitchConfig nor Kafka Streams/clients define").isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void shouldSetOnlyKnownSettingsThroughTracestitchEnvironmentVariables(Deployment d) {
    Map<String, String> env = d.environment();
    List<String> unknown = new ArrayList<>();
    env.forEach((name, value) -> {
      String key = KnownSettings.keyOfEnvironmentVariable(name, value);
      if (key != null && !KnownSettings.isKnown(key)) {
        unknown.add(name + " -> " + key);
      }
    });

    assertThat(unknown).isEmpty();
    assertThat(env).containsKeys("TRACESTITCH_APPLICATION_SERVER", "TRACESTITCH_NUM_STANDBY_REPLICAS",
        "TRACESTITCH_SASL_JAAS_CONFIG");
    assertThat(KnownSettings.keyOfEnvironmentVariable("TRACESTITCH_APPLICATION_SERVER", "h:1"))
        .isEqualTo(StreamsConfig.APPLICATION_SERVER_CONFIG);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void shouldReferenceOnlyEnvironmentVariablesDefinedEarlierInTheList(Deployment d) {
    List<String> unresolved = new ArrayList<>();
    Matcher reference = Pattern.compile("\\$\\(([^)]*)\\)").matcher("");
    d.environment().forEach((name, value) -> {
      if (reference.reset(value).find()) {
        unresolved.add(name + "=" + value);
      }
    });

    assertThat(unresolved).as("$(VAR) the kubelet would leave unexpanded").isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void shouldGiveASettingsSetThatTracestitchKafkaStreamsAndItsClientsAccept(Deployment d) {
    TracestitchConfig config = d.effectiveConfig(tmp);
    String bootstrap = String.join(",", config.getList(TracestitchConfig.BOOTSTRAP_SERVERS));
    Properties kafka = config.kafkaProperties(bootstrap);
    config.stitchSettings();

    StreamsConfig streams = new StreamsConfig(kafka);
    // The clients Kafka Streams derives from them; it hands its clients byte-array (de)serializers itself.
    Map<String, Object> consumer = new HashMap<>(streams.getMainConsumerConfigs(
        config.getString(TracestitchConfig.APPLICATION_ID), Deployment.SAMPLE_POD + "-StreamThread-1", 0));
    consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    new ConsumerConfig(consumer);
    Map<String, Object> producer = new HashMap<>(streams.getProducerConfigs(Deployment.SAMPLE_POD + "-producer"));
    producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    new ProducerConfig(producer);
    new AdminClientConfig(streams.getAdminConfigs(Deployment.SAMPLE_POD + "-admin"));

    // An empty bootstrap.servers would start the embedded single-node broker inside the pod.
    assertThat(config.embedded()).as("embedded broker").isFalse();
    assertThat(streams.getString(StreamsConfig.SECURITY_PROTOCOL_CONFIG)).isEqualTo("SASL_SSL");
    assertThat(streams.originals()).containsEntry("sasl.jaas.config", "secret:tracestitch-kafka/sasl.jaas.config");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void shouldAdvertiseThePodsStableDnsNameOnTheHttpPortAsApplicationServer(Deployment d) {
    TracestitchConfig config = d.effectiveConfig(tmp);
    String server = (String) config.originals().get(StreamsConfig.APPLICATION_SERVER_CONFIG);
    HostInfo host = HostInfo.buildFromEndpoint(server);
    StatefulSet sts = d.statefulSet();

    assertThat(host.host()).isEqualTo(Deployment.SAMPLE_POD + "." + sts.getSpec().getServiceName() + "."
        + Deployment.SAMPLE_NAMESPACE + ".svc.cluster.local");
    assertThat(host.port()).isEqualTo(httpPort(d.container()).getContainerPort());
    assertThat(config.originals()).containsEntry("group.instance.id", Deployment.SAMPLE_POD);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void shouldServeHttpOnThePortTheApplicationListensOn(Deployment d) {
    ContainerPort http = httpPort(d.container());
    ConfigDef.ConfigKey httpPortSetting = TracestitchConfig.DEFINITION.configKeys().get("http.port");

    assertThat(http.getContainerPort()).isEqualTo(8080);
    if (httpPortSetting != null) {
      // Once the HTTP server's setting exists, what the pod configures must be what the port says.
      Object configured = d.effectiveConfig(tmp).originals().getOrDefault("http.port", httpPortSetting.defaultValue);
      assertThat(Integer.parseInt(configured.toString())).isEqualTo(http.getContainerPort());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void shouldProbeHealthzAndReadyzOnTheHttpPort(Deployment d) {
    Container c = d.container();
    ContainerPort http = httpPort(c);

    assertProbe(c.getLivenessProbe(), "/healthz", http);
    assertProbe(c.getStartupProbe(), "/healthz", http);
    assertProbe(c.getReadinessProbe(), "/readyz", http);
    Probe startup = c.getStartupProbe();
    // Restoring RocksDB state from changelogs takes minutes, not seconds.
    assertThat(Duration.ofSeconds((long) startup.getPeriodSeconds() * startup.getFailureThreshold()))
        .isGreaterThanOrEqualTo(Duration.ofMinutes(10));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void shouldKeepStateDirOnThePersistentVolume(Deployment d) {
    String stateDir = d.effectiveConfig(tmp).originals().get(StreamsConfig.STATE_DIR_CONFIG).toString();
    VolumeMount mount = d.mountAt(stateDir);
    List<PersistentVolumeClaim> claims = d.statefulSet().getSpec().getVolumeClaimTemplates();

    assertThat(stateDir).isEqualTo("/var/lib/tracestitch");
    assertThat(mount).as("volume mounted at state.dir").isNotNull();
    assertThat(claims).extracting(pvc -> pvc.getMetadata().getName()).contains(mount.getName());
    assertThat(d.volume(mount.getName())).as("a pod volume shadowing the claim template").isNull();
    assertThat(mount.getReadOnly()).isNotEqualTo(Boolean.TRUE);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void shouldPassTheMountedConfigMapWithConfig(Deployment d) {
    Container c = d.container();

    assertThat(c.getArgs()).containsExactly("run", "--config", "/etc/tracestitch/tracestitch.properties");
    assertThat(d.configFileText()).contains("bootstrap.servers=");
    assertThat(d.volume(d.mountAt("/etc/tracestitch").getName()).getConfigMap().getItems())
        .as("items would rename the file").isNullOrEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void shouldMountVolumesThatExistAndNeverOneInsideAnother(Deployment d) {
    List<VolumeMount> mounts = d.container().getVolumeMounts();
    List<String> claims = d.statefulSet().getSpec().getVolumeClaimTemplates().stream()
        .map(p -> p.getMetadata().getName()).toList();

    assertThat(mounts).allSatisfy(m -> assertThat(d.volume(m.getName()) != null || claims.contains(m.getName()))
        .as("volume %s exists", m.getName()).isTrue());
    for (VolumeMount outer : mounts) {
      for (VolumeMount inner : mounts) {
        assertThat(inner.getMountPath().startsWith(outer.getMountPath() + "/"))
            .as("%s mounted inside %s", inner.getMountPath(), outer.getMountPath()).isFalse();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void shouldRunLockedDown(Deployment d) {
    PodSpec pod = d.statefulSet().getSpec().getTemplate().getSpec();
    PodSecurityContext podSecurity = pod.getSecurityContext();
    SecurityContext security = d.container().getSecurityContext();
    VolumeMount tmpMount = d.mountAt("/tmp");

    assertThat(podSecurity.getRunAsNonRoot()).isTrue();
    assertThat(podSecurity.getRunAsUser()).isEqualTo(DockerfileTest.runtimeUid());
    assertThat(podSecurity.getFsGroup()).isNotNull();
    assertThat(podSecurity.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(security.getReadOnlyRootFilesystem()).isTrue();
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(security.getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(security.getPrivileged()).isNotEqualTo(Boolean.TRUE);
    assertThat(tmpMount).as("/tmp mount").isNotNull();
    assertThat(d.volume(tmpMount.getName()).getEmptyDir()).isNotNull();
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void shouldSizeTheHeapFromTheMemoryLimitAndLeaveRoomForRocksDb(Deployment d) {
    Container c = d.container();
    Map<String, Quantity> requests = c.getResources().getRequests();
    Map<String, Quantity> limits = c.getResources().getLimits();
    String javaOptions = d.environment().get("JAVA_TOOL_OPTIONS");
    Matcher percentage = Pattern.compile("-XX:MaxRAMPercentage=([0-9.]+)").matcher(javaOptions);

    assertThat(limits).containsKey("memory");
    assertThat(requests).containsKeys("cpu", "memory");
    for (String resource : List.of("cpu", "memory")) {
      assertThat(Quantity.getAmountInBytes(requests.get(resource)))
          .as(resource + " request <= limit").isLessThanOrEqualTo(Quantity.getAmountInBytes(limits.get(resource)));
    }
    assertThat(percentage.find()).as("MaxRAMPercentage in " + javaOptions).isTrue();
    assertThat(Double.parseDouble(percentage.group(1))).isBetween(25.0, 60.0);
    assertThat(javaOptions).doesNotContain("-Xmx").contains("-XX:+ExitOnOutOfMemoryError");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void shouldGiveKafkaStreamsTimeToCloseOnSigterm(Deployment d) throws Exception {
    Field closeTimeout = TracestitchApp.class.getDeclaredField("CLOSE_TIMEOUT");
    closeTimeout.setAccessible(true);
    Duration close = (Duration) closeTimeout.get(null);
    long grace = d.statefulSet().getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();

    assertThat(Duration.ofSeconds(grace)).isGreaterThanOrEqualTo(close.plusSeconds(15));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void shouldRunAsAStatefulSetBehindItsHeadlessService(Deployment d) {
    StatefulSet sts = d.statefulSet();
    Service headless = d.service(sts.getSpec().getServiceName());
    Map<String, String> podLabels = sts.getSpec().getTemplate().getMetadata().getLabels();

    assertThat(sts.getSpec().getServiceName()).isEqualTo("tracestitch-headless");
    assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(headless.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(sts.getSpec().getSelector().getMatchLabels()).isEqualTo(headless.getSpec().getSelector());
    assertThat(podLabels).containsAllEntriesOf(sts.getSpec().getSelector().getMatchLabels());
    assertThat(sts.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("tracestitch");
    assertThat(d.ofKind("ServiceAccount")).extracting(r -> r.path("metadata").path("name").asText())
        .contains("tracestitch");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void shouldExposeTheHttpPortThroughBothServices(Deployment d) {
    Map<String, String> podLabels = d.statefulSet().getSpec().getTemplate().getMetadata().getLabels();
    for (String name : List.of("tracestitch", "tracestitch-headless")) {
      Service service = d.service(name);
      ServicePort port = service.getSpec().getPorts().stream().filter(p -> "http".equals(p.getName())).findFirst()
          .orElseThrow(() -> new AssertionError(name + " has no port named http"));

      assertThat(port.getPort()).isEqualTo(8080);
      assertThat(resolves(port.getTargetPort(), httpPort(d.container()))).as(name + " targetPort").isTrue();
      assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
    }
    assertThat(d.service("tracestitch").getSpec().getType()).isEqualTo("ClusterIP");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void shouldAnnotatePodsForPrometheusScraping(Deployment d) {
    Map<String, String> annotations = d.statefulSet().getSpec().getTemplate().getMetadata().getAnnotations();

    assertThat(annotations).containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", String.valueOf(httpPort(d.container()).getContainerPort()))
        .containsEntry("prometheus.io/path", "/metrics");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void shouldLimitDisruptionToOneInstanceOfThesePods(Deployment d) {
    PodDisruptionBudget pdb = d.one("PodDisruptionBudget", "tracestitch", PodDisruptionBudget.class);

    assertThat(pdb.getSpec().getMaxUnavailable()).isEqualTo(new IntOrString(1));
    assertThat(d.statefulSet().getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void shouldLetInOnlyTheHttpPortAndLetOutOnlyDnsKafkaAndPeers(Deployment d) {
    NetworkPolicy policy = d.one("NetworkPolicy", "tracestitch", NetworkPolicy.class);
    List<NetworkPolicyPort> ingressPorts = policy.getSpec().getIngress().stream()
        .flatMap(rule -> rule.getPorts().stream()).toList();
    List<NetworkPolicyPort> egressPorts = policy.getSpec().getEgress().stream()
        .flatMap(rule -> rule.getPorts().stream()).toList();

    assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
    assertThat(d.statefulSet().getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(policy.getSpec().getPodSelector().getMatchLabels());
    assertThat(policy.getSpec().getIngress()).allSatisfy(rule -> assertThat(rule.getPorts()).isNotEmpty());
    assertThat(ingressPorts).allSatisfy(p -> assertThat(p.getPort()).isEqualTo(new IntOrString(8080)));
    assertThat(policy.getSpec().getEgress()).allSatisfy(rule -> assertThat(rule.getPorts()).isNotEmpty());
    assertThat(egressPorts).anySatisfy(p -> assertThat(p.getPort()).isEqualTo(new IntOrString(53)));
    List<Integer> bootstrapPorts = d.effectiveConfig(tmp).getList(TracestitchConfig.BOOTSTRAP_SERVERS).stream()
        .map(a -> Integer.parseInt(a.substring(a.lastIndexOf(':') + 1))).toList();
    assertThat(bootstrapPorts).allSatisfy(port -> assertThat(egressPorts).as("egress to Kafka port " + port)
        .anySatisfy(p -> assertThat(port).isBetween(p.getPort().getIntVal(),
            p.getEndPort() == null ? p.getPort().getIntVal() : p.getEndPort())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void shouldUseTheReleasedImage(Deployment d) {
    assertThat(d.container().getImage()).isEqualTo(IMAGE);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void shouldDocumentEverySecretItReferences(Deployment d) throws Exception {
    String operations = Files.readString(Path.of("docs/operations.md"));
    List<String> references = new ArrayList<>();
    for (EnvVar var : d.container().getEnv()) {
      if (var.getValueFrom() != null && var.getValueFrom().getSecretKeyRef() != null) {
        references.add(var.getValueFrom().getSecretKeyRef().getName());
        references.add(var.getValueFrom().getSecretKeyRef().getKey());
      }
    }
    d.statefulSet().getSpec().getTemplate().getSpec().getVolumes().stream()
        .filter(v -> v.getSecret() != null).forEach(v -> references.add(v.getSecret().getSecretName()));
    for (JsonNode auth : d.ofKind("TriggerAuthentication")) {
      auth.path("spec").path("secretTargetRef").forEach(ref -> {
        references.add(ref.path("name").asText());
        references.add(ref.path("key").asText());
      });
    }

    assertThat(references).isNotEmpty()
        .allSatisfy(name -> assertThat(operations).as("docs/operations.md").contains("`" + name + "`"));
  }

  static ContainerPort httpPort(Container c) {
    return c.getPorts().stream().filter(p -> "http".equals(p.getName())).findFirst()
        .orElseThrow(() -> new AssertionError("no container port named http"));
  }

  private static boolean resolves(IntOrString port, ContainerPort http) {
    return port.getStrVal() != null ? port.getStrVal().equals(http.getName())
        : port.getIntVal().equals(http.getContainerPort());
  }

  private static void assertProbe(Probe probe, String path, ContainerPort http) {
    assertThat(probe).as("probe on " + path).isNotNull();
    HTTPGetAction get = probe.getHttpGet();
    assertThat(get).as("an HTTP GET probe on " + path).isNotNull();
    assertThat(get.getPath()).isEqualTo(path);
    assertThat(resolves(get.getPort(), http)).as("probe port " + get.getPort() + " is the http port").isTrue();
    assertThat(get.getScheme()).isIn(null, "HTTP");
  }
}
