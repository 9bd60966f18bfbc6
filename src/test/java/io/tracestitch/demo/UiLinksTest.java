package io.tracestitch.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UiLinksTest {
  private final UiLinks links = UiLinks.onLocalPort(8080);

  @Test
  void theDemoPrintsTheWebViewOnceAndTheFirstWorkflowsPage() {
    assertThat(links.homeLine()).startsWith("UI http://localhost:8080/ui/ ");
    assertThat(links.workflowLine("order-ab12-3")).startsWith("UI http://localhost:8080/ui/workflows/order-ab12-3 ");
  }

  @Test
  void aWorkflowIdIsOnePathSegmentWhateverItHolds() {
    assertThat(links.workflow("trace:4bf9 2/x")).isEqualTo("http://localhost:8080/ui/workflows/trace%3A4bf9%202%2Fx");
  }
}
