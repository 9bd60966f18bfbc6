package io.tracestitch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile read as Docker reads it (instructions, continuation lines, stages) and held against
 * the POM, the .dockerignore and the Kubernetes manifests. No image is built here: there is no
 * Docker engine on these machines.
 */
class DockerfileTest {
  static final Path DOCKERFILE = Path.of("Dockerfile");
  static final String IMAGE_REPOSITORY = "ghcr.io/tracestitch/tracestitch";

  record Instruction(int stage, String keyword, String arguments) {}

  @Test
  void shouldBuildTheShadedJarWithMavenAndRunItOnAJre() {
    List<Instruction> all = parse(DOCKERFILE);
    List<Instruction> froms = all.stream().filter(i -> i.keyword().equals("FROM")).toList();

    assertThat(froms).extracting(Instruction::arguments)
        .containsExactly("maven:3.9-eclipse-temurin-17 AS build", "eclipse-temurin:17-jre");
    assertThat(in(all, 0, "RUN")).anySatisfy(run -> assertThat(run).endsWith("mvn -B -DskipTests package"));
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
  void shouldRunByDefaultWhatThePodRunsWithTheConfigFileThePodMounts() {
    List<String> command = jsonArray(in(parse(DOCKERFILE), 1, "CMD").get(0));
    Deployment base = Deployment.render("base");

    assertThat(command).containsExactly("run", "--config", "/etc/tracestitch/tracestitch.properties");
    assertThat(base.container().getArgs()).isEqualTo(command);
    assertThat(base.mountAt(Path.of(command.get(2)).getParent().toString())).isNotNull();
    assertThat(in(parse(DOCKERFILE), 1, "EXPOSE")).containsExactly(
        String.valueOf(RenderedDeploymentTest.httpPort(base.container()).getContainerPort()));
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
