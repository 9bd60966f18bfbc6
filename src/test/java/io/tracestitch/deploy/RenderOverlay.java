package io.tracestitch.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;

/**
 * Prints the resources of a kustomization as one JSON array, rendered by this project's own
 * {@link Kustomize}: what deploy/image-check reads the manifests from where neither kubectl nor
 * kustomize is installed. Wherever kubectl is, {@code KustomizeRendererTest} holds this renderer's
 * output against {@code kubectl kustomize} for every overlay.
 *
 * <p>{@code java -cp <test classpath> io.tracestitch.deploy.RenderOverlay deploy/k8s/overlays/dev}
 */
final class RenderOverlay {
  private RenderOverlay() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: RenderOverlay <directory with a kustomization.yaml>");
      System.exit(2);
    }
    System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter()
        .writeValueAsString(Kustomize.build(Path.of(args[0]))));
  }
}
