package io.tracestitch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.tracestitch.config.ConfigFiles;
import io.tracestitch.config.TracestitchConfig;
import io.tracestitch.delivery.DeliverySettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * deliver-alerts' Deployment in the base and every overlay, held against what the command reads and does: off
 * everywhere but overlays/alert-delivery, the processor's own settings file, settings deliver-alerts accepts, its
 * probes on its HTTP port, locked down like the processor, and a network policy that lets its requests out.
 */
class AlertDeliveryDeploymentTest {
  static final String NAME = "tracestitch-alert-delivery";
  static final String ON_IN = "overlays/alert-delivery";

  @TempDir
  Path tmp;

  static List<Deployment> variants() {
    return RenderedDeploymentTest.variants();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void shouldRunOnlyInTheOverlayThatTurnsItOn(Deployment d) {
    io.fabric8.kubernetes.api.model.apps.Deployment delivery = delivery(d);

    assertThat(delivery.getSpec().getReplicas()).isEqualTo(d.variant.equals(ON_IN) ? 1 : 0);
    assertThat(delivery.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(delivery.getSpec().getSelector().getMatchLabels())
        .containsEntry("app.kubernetes.io/name", NAME);
    // The processor's Services, disruption budget and network policy select its own pods, not these.
    assertThat(d.statefulSet().getSpec().getSelector().getMatchLabels())
        .isNotEqualTo(delivery.getSpec().getSelector().getMatchLabels());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void shouldReadTheProcessorsSettingsFileAndGiveSettingsDeliverAlertsAccepts(Deployment d) {
    Container c = container(d);
    assertThat(c.getArgs()).containsExactly("deliver-alerts", "--config", "/etc/tracestitch/tracestitch.properties");
    assertThat(d.container().getArgs()).contains("/etc/tracestitch/tracestitch.properties");
    assertThat(volumeAt(d, "/etc/tracestitch").getConfigMap().getName())
        .isEqualTo(d.configMapOfConfigFile().getMetadata().getName());

    Map<String, String> env = environment(c);
    List<String> unknown = new ArrayList<>();
    env.forEach((name, value) -> {
      String key = KnownSettings.keyOfEnvironmentVariable(name, value);
      if (key != null && !KnownSettings.isKnown(key)) {
        unknown.add(name + " -> " + key);
      }
    });
    assertThat(unknown).isEmpty();

    TracestitchConfig config = TracestitchConfig.load(fileSettings(d), env, Map.of());
    DeliverySettings settings = config.deliverySettings();
    assertThat(settings.targets()).contains(DeliverySettings.Target.ALERTMANAGER);
    if (d.variant.equals(ON_IN)) {
      assertThat(settings.targets()).contains(DeliverySettings.Target.PAGERDUTY);
      assertThat(settings.pagerDutyRoutingKey()).as("from a Secret").isEqualTo("secret:tracestitch-pagerduty/routing-key");
    }
    assertThat(env).containsEntry("TRACESTITCH_SASL_JAAS_CONFIG", "secret:tracestitch-kafka/sasl.jaas.config");
    String http = config.originals().getOrDefault(TracestitchConfig.HTTP_PORT, "8080").toString();
    assertThat(httpPort(c).getContainerPort()).isEqualTo(Integer.parseInt(http));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void shouldProbeHealthzAndReadyzOnTheHttpPort(Deployment d) {
    Container c = container(d);
    assertProbe(c.getStartupProbe(), "/healthz");
    assertProbe(c.getLivenessProbe(), "/healthz");
    assertProbe(c.getReadinessProbe(), "/readyz");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void shouldRunLockedDownAndLeaveTimeToCommitOnSigterm(Deployment d) throws Exception {
    PodSpec pod = delivery(d).getSpec().getTemplate().getSpec();
    Container c = container(d);

    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(DockerfileTest.runtimeUid());
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(volumeAt(d, "/tmp").getEmptyDir()).isNotNull();
    assertThat(c.getImage()).isEqualTo(RenderedDeploymentTest.IMAGE);
    assertThat(c.getResources().getLimits()).containsKey("memory");
    assertThat(environment(c).get("JAVA_TOOL_OPTIONS")).contains("-XX:+ExitOnOutOfMemoryError")
        .doesNotContain("-Xmx");

    var closeTimeout = io.tracestitch.delivery.AlertDelivery.class.getDeclaredField("CLOSE_TIMEOUT");
    closeTimeout.setAccessible(true);
    Duration close = (Duration) closeTimeout.get(null);
    Duration request = Duration.ofMillis((Long) TracestitchConfig.DEFINITION.configKeys()
        .get(TracestitchConfig.DELIVERY_REQUEST_TIMEOUT_MS).defaultValue);
    assertThat(Duration.ofSeconds(pod.getTerminationGracePeriodSeconds()))
        .isGreaterThanOrEqualTo(close.plus(request).plusSeconds(5));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void shouldLetOutDnsKafkaAlertmanagerAndHttpsAndLetInOnlyTheHttpPort(Deployment d) {
    NetworkPolicy policy = d.one("NetworkPolicy", NAME, NetworkPolicy.class);
    List<NetworkPolicyPort> egress = policy.getSpec().getEgress().stream().flatMap(r -> r.getPorts().stream()).toList();
    List<NetworkPolicyPort> ingress = policy.getSpec().getIngress().stream().flatMap(r -> r.getPorts().stream())
        .toList();
    TracestitchConfig config = TracestitchConfig.load(fileSettings(d), environment(container(d)), Map.of());

    assertThat(delivery(d).getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(policy.getSpec().getPodSelector().getMatchLabels());
    assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
    assertThat(ingress).allSatisfy(p -> assertThat(p.getPort().getIntVal()).isEqualTo(8080));
    List<Integer> needed = new ArrayList<>(List.of(53, 443));
    needed.add(port(config.deliverySettings().alertmanagerUrl()));
    config.getList(TracestitchConfig.BOOTSTRAP_SERVERS)
        .forEach(a -> needed.add(Integer.parseInt(a.substring(a.lastIndexOf(':') + 1))));
    assertThat(needed).allSatisfy(port -> assertThat(egress).as("egress to port " + port)
        .anySatisfy(p -> assertThat(port).isBetween(p.getPort().getIntVal(),
            p.getEndPort() == null ? p.getPort().getIntVal() : p.getEndPort())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void shouldDocumentEverySecretItReferences(Deployment d) throws IOException {
    String operations = Files.readString(Path.of("docs/operations.md"));
    List<String> references = new ArrayList<>();
    for (EnvVar var : container(d).getEnv()) {
      if (var.getValueFrom() != null && var.getValueFrom().getSecretKeyRef() != null) {
        references.add(var.getValueFrom().getSecretKeyRef().getName());
        references.add(var.getValueFrom().getSecretKeyRef().getKey());
      }
    }
    assertThat(references).isNotEmpty()
        .allSatisfy(name -> assertThat(operations).as("docs/operations.md").contains("`" + name + "`"));
  }

  private static int port(URI url) {
    return url.getPort() > 0 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
  }

  private static io.fabric8.kubernetes.api.model.apps.Deployment delivery(Deployment d) {
    return d.one("Deployment", NAME, io.fabric8.kubernetes.api.model.apps.Deployment.class);
  }

  private static Container container(Deployment d) {
    return delivery(d).getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(c -> c.getName().equals("alert-delivery")).findFirst()
        .orElseThrow(() -> new AssertionError(d + ": no container alert-delivery"));
  }

  private static io.fabric8.kubernetes.api.model.Volume volumeAt(Deployment d, String mountPath) {
    String name = container(d).getVolumeMounts().stream().filter(m -> m.getMountPath().equals(mountPath))
        .findFirst().orElseThrow(() -> new AssertionError("nothing mounted at " + mountPath)).getName();
    return delivery(d).getSpec().getTemplate().getSpec().getVolumes().stream().filter(v -> v.getName().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no volume " + name));
  }

  private static ContainerPort httpPort(Container c) {
    return c.getPorts().stream().filter(p -> "http".equals(p.getName())).findFirst()
        .orElseThrow(() -> new AssertionError("no container port named http"));
  }

  private static void assertProbe(Probe probe, String path) {
    assertThat(probe).as("probe on " + path).isNotNull();
    assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
    assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
  }

  /** The container's environment as the kubelet builds it, secrets as a placeholder naming Secret and key. */
  private static Map<String, String> environment(Container c) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar var : c.getEnv()) {
      if (var.getValueFrom() == null) {
        env.put(var.getName(), Deployment.expand(var.getValue() == null ? "" : var.getValue(), env));
      } else if (var.getValueFrom().getSecretKeyRef() != null) {
        env.put(var.getName(), "secret:" + var.getValueFrom().getSecretKeyRef().getName() + "/"
            + var.getValueFrom().getSecretKeyRef().getKey());
      } else {
        throw new AssertionError("env " + var.getName() + " uses a source these tests do not model");
      }
    }
    return env;
  }

  private Map<String, String> fileSettings(Deployment d) {
    try {
      Path file = tmp.resolve("tracestitch.properties");
      Files.writeString(file, d.configFileText());
      return ConfigFiles.read(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
