package io.tracestitch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tracestitch.config.ConfigFiles;
import io.tracestitch.config.TracestitchConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Dockerfile read as Docker reads it (instructions, continuation lines, stages) and held against
 * the POM, the .dockerignore and the Kubernetes manifests. No image is built here (the test command
 * needs no container engine); deploy/image-check builds the image and runs it.
 */
class DockerfileTest {
  static final Path DOCKERFILE = Path.of("Dockerfile");
  static final String IMAGE_REPOSITORY = "ghcr.io/tracestitch/tracestitch";

  record Instruction(int stage, String keyword, String arguments) {}

  @Test
  void shouldBuildTheShadedJarWithMavenAndRunItOnAJre() {
    List<Instruction> all = parse(DOCKERFILE);
    List<Instruction> froms = all.stream().filter(i -> i.keyword().equals("FROM")).toList();

    assertThat(froms).extracting(i -> withDefaultArguments(all, i.arguments()))
        .containsExactly("maven:3.9-eclipse-temurin-17 AS build", "eclipse-temurin:17-jre");
    assertThat(in(all, 0, "RUN")).anySatisfy(run -> assertThat(run).endsWith("mvn -B -Dmaven.test.skip=true package"));
  }

  @Test
  void shouldTakeBothBaseImagesAsBuildArgumentsSoTheFileBuildsWithoutDockerHub() {
    List<Instruction> all = parse(DOCKERFILE);
    List<Instruction> froms = all.stream().filter(i -> i.keyword().equals("FROM")).toList();

    // Declared before the first FROM: only such arguments may be used in FROM lines.
    assertThat(in(all, -1, "ARG")).containsExactly(
        "BUILD_IMAGE=maven:3.9-eclipse-temurin-17", "RUNTIME_IMAGE=eclipse-temurin:17-jre");
    assertThat(froms).extracting(Instruction::arguments).containsExactly("${BUILD_IMAGE} AS build", "${RUNTIME_IMAGE}");
  }

  @Test
  void shouldCopyOnlyTheJarIntoTheRuntimeImageAndRunItAsTheNonRootUser() {
    List<Instruction> all = parse(DOCKERFILE);

    assertThat(in(all, 1, "COPY")).containsExactly(
        "--from=build /build/target/tracestitch.jar /opt/tracestitch/tracestitch.jar");
    assertThat(in(all, 1, "ADD")).isEmpty();
    assertThat(in(all, 1, "USER")).containsExactly("10001:10001");
    assertThat(jsonArray(in(all, 1, "ENTRYPOINT").get(0)))
        .containsExactly("java", "-jar", "/opt/tracestitch/tracestitch.jar");
    assertThat(runtimeUid()).isEqualTo(10001L);
  }

  @Test
  void shouldRunTheProcessorByDefaultAndLetThePodNameTheFileItMounts() {
    List<String> command = jsonArray(in(parse(DOCKERFILE), 1, "CMD").get(0));
    Deployment base = Deployment.render("base");

    // No --config: `docker run IMAGE` starts without a file, and reads one mounted at the default place.
    assertThat(command).containsExactly("run");
    assertThat(base.container().getArgs()).containsExactly("run", "--config", ConfigFiles.DEFAULT_FILE.toString());
    assertThat(base.configFile()).isEqualTo(ConfigFiles.DEFAULT_FILE);
    assertThat(base.mountAt(ConfigFiles.DEFAULT_FILE.getParent().toString())).isNotNull();
    assertThat(in(parse(DOCKERFILE), 1, "EXPOSE")).containsExactly(
        String.valueOf(RenderedDeploymentTest.httpPort(base.container()).getContainerPort()));
  }

  @Test
  void shouldKeepStateOnTheImagesVolumeWhereThePodMountsItsClaim(@TempDir Path tmp) {
    List<Instruction> all = parse(DOCKERFILE);
    Map<String, String> imageEnvironment = environment(all, 1);
    String volume = jsonArrayOrWord(in(all, 1, "VOLUME").get(0)).get(0);
    Deployment base = Deployment.render("base");

    // With no file and no settings, state.dir comes from the image's environment: the volume.
    TracestitchConfig alone = TracestitchConfig.load(Map.of(), imageEnvironment, Map.of());
    assertThat(alone.originals().get(StreamsConfig.STATE_DIR_CONFIG)).isEqualTo(volume);
    assertThat(alone.getString(TracestitchConfig.EMBEDDED_DATA_DIR)).startsWith(volume + "/");
    // In the pod: the image's environment under the pod's, over the mounted file, as the kubelet and RunCommand
    // combine them; the same directory, and the claim is mounted there.
    Map<String, String> podEnvironment = new LinkedHashMap<>(imageEnvironment);
    podEnvironment.putAll(base.environment());
    TracestitchConfig inThePod = TracestitchConfig.load(base.fileSettings(tmp), podEnvironment, Map.of());
    assertThat(inThePod.originals().get(StreamsConfig.STATE_DIR_CONFIG)).isEqualTo(volume);
    assertThat(base.mountAt(volume)).isNotNull();
    assertThat(base.statefulSet().getSpec().getVolumeClaimTemplates())
        .extracting(pvc -> pvc.getMetadata().getName()).contains(base.mountAt(volume).getName());
    assertThat(in(all, 1, "RUN")).anySatisfy(run -> assertThat(run).contains("chown 10001:10001 " + volume));
  }

  @Test
  void shouldCopyEverySourceDirectoryThePomBuildsFromAndLetItThroughDockerignore() throws IOException {
    Set<String> needed = new LinkedHashSet<>(List.of("pom.xml", "src"));
    Matcher basedir = Pattern.compile("\\$\\{project\\.basedir}/([A-Za-z0-9_.-]+)").matcher(Files.readString(Path.of("pom.xml")));
    while (basedir.find()) {
      needed.add(basedir.group(1));
    }
    List<String> copied = in(parse(DOCKERFILE), 0, "COPY").stream().map(c -> c.split("\\s+")[0]).toList();
    List<String> ignore = Files.readAllLines(Path.of(".dockerignore"));

    assertThat(needed).contains("schemas", "topology", "serdes");
    assertThat(copied).containsAll(needed);
    assertThat(copied).allSatisfy(source -> assertThat(sentToTheBuild(ignore, source))
        .as(".dockerignore lets %s through", source).isTrue());
    assertThat(sentToTheBuild(ignore, "target")).isFalse();
    assertThat(sentToTheBuild(ignore, "target-k8s")).isFalse();
  }

  @Test
  void shouldTagTheImageWithThePomsReleaseVersionEverywhereItIsNamed() throws IOException {
    String pom = Files.readString(Path.of("pom.xml"));
    Matcher version = Pattern.compile("<artifactId>tracestitch</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
    assertThat(version.find()).isTrue();
    String image = IMAGE_REPOSITORY + ":" + version.group(1).replace("-SNAPSHOT", "");
    List<Path> documents = new ArrayList<>(List.of(DOCKERFILE, Path.of("docs/operations.md")));
    if (Files.exists(Path.of("README.md"))) {
      documents.add(Path.of("README.md"));
    }

    assertThat(image).isEqualTo(RenderedDeploymentTest.IMAGE);
    assertThat(Files.readString(DOCKERFILE)).contains("docker build -t " + image + " .")
        .contains("org.opencontainers.image.version=\"" + image.substring(image.lastIndexOf(':') + 1) + "\"");
    assertThat(Files.readString(Path.of("docs/operations.md"))).contains(image);
    for (Path document : documents) {
      Matcher named = Pattern.compile(Pattern.quote(IMAGE_REPOSITORY) + ":[A-Za-z0-9._-]+").matcher(Files.readString(document));
      while (named.find()) {
        assertThat(named.group()).as("image named in " + document).isEqualTo(image);
      }
    }
  }

  /**
   * A FROM line's arguments with each {@code ${NAME}} replaced by the default its global ARG gives, as a
   * build without {@code --build-arg} sees them.
   */
  static String withDefaultArguments(List<Instruction> all, String arguments) {
    Map<String, String> defaults = new LinkedHashMap<>();
    for (String arg : in(all, -1, "ARG")) {
      String[] nameAndDefault = arg.split("=", 2);
      defaults.put(nameAndDefault[0], nameAndDefault.length > 1 ? nameAndDefault[1] : "");
    }
    Matcher reference = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}").matcher(arguments);
    StringBuilder out = new StringBuilder();
    while (reference.find()) {
      String name = reference.group(1);
      if (!defaults.containsKey(name)) {
        throw new AssertionError("FROM uses ${" + name + "}, which no ARG before the first FROM declares");
      }
      reference.appendReplacement(out, Matcher.quoteReplacement(defaults.get(name)));
    }
    reference.appendTail(out);
    return out.toString();
  }

  /** The ENV instructions of a stage, in the form {@code ENV NAME=value NAME=value} (quotes not understood). */
  static Map<String, String> environment(List<Instruction> all, int stage) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String instruction : in(all, stage, "ENV")) {
      for (String pair : instruction.split("\\s+")) {
        if (!pair.matches("[A-Za-z_][A-Za-z0-9_]*=[^\"']*")) {
          throw new AssertionError("ENV form this test does not understand: " + instruction);
        }
        String[] nameAndValue = pair.split("=", 2);
        env.put(nameAndValue[0], nameAndValue[1]);
      }
    }
    return env;
  }

  /** The uid the runtime stage runs as: the user part of its USER instruction. */
  static long runtimeUid() {
    String user = in(parse(DOCKERFILE), 1, "USER").get(0);
    return Long.parseLong(user.split(":")[0]);
  }

  static List<String> in(List<Instruction> all, int stage, String keyword) {
    return all.stream().filter(i -> i.stage() == stage && i.keyword().equals(keyword)).map(Instruction::arguments)
        .toList();
  }

  /** Instructions with their stage (0 for the first FROM): comments dropped, continuation lines joined. */
  static List<Instruction> parse(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Instruction> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int stage = -1;
    for (String line : lines) {
      String trimmed = line.strip();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.length() == 0)) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        current.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      current.append(trimmed);
      String[] parts = current.toString().strip().split("\\s+", 2);
      current.setLength(0);
      String keyword = parts[0].toUpperCase(java.util.Locale.ROOT);
      if (keyword.equals("FROM")) {
        stage++;
      }
      instructions.add(new Instruction(stage, keyword, parts.length > 1 ? parts[1].strip() : ""));
    }
    return instructions;
  }

  private static List<String> jsonArrayOrWord(String arguments) {
    return arguments.startsWith("[") ? jsonArray(arguments) : List.of(arguments.split("\\s+"));
  }

  private static List<String> jsonArray(String arguments) {
    try {
      return new ObjectMapper().readValue(arguments, new TypeReference<List<String>>() { });
    } catch (IOException e) {
      throw new AssertionError("not the exec (JSON) form: " + arguments, e);
    }
  }

  /**
   * Whether a top-level path reaches the build context: the last .dockerignore line that matches it
   * decides. Only the forms this repository uses are understood ({@code *} and exact names, with
   * {@code !} and an optional trailing slash); any other pattern fails the test rather than guess.
   */
  static boolean sentToTheBuild(List<String> dockerignore, String path) {
    boolean included = true;
    for (String raw : dockerignore) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      boolean negated = line.startsWith("!");
      String pattern = (negated ? line.substring(1) : line).replaceAll("/+$", "");
      if (!pattern.equals("*") && !pattern.matches("[A-Za-z0-9_.-]+")) {
        throw new AssertionError(".dockerignore pattern this test does not understand: " + line);
      }
      if (pattern.equals("*") || pattern.equals(path)) {
        included = negated;
      }
    }
    return included;
  }
}
