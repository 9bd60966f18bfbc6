package io.tracestitch.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tracestitch.app.TracestitchApp;
import io.tracestitch.config.TracestitchConfig;
import io.tracestitch.demo.CheckoutSimulation;
import io.tracestitch.demo.CheckoutTopics;
import io.tracestitch.demo.Faults;
import io.tracestitch.demo.SimulationSettings;
import io.tracestitch.demo.SimulationTopics;
import io.tracestitch.kafka.KafkaBrokerFixture;
import io.tracestitch.testing.Otlp;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;

import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_INTERNAL;
import static io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER;

/**
 * The web view in a real headless Chromium, against the real processor on the embedded broker and the demo's
 * simulated checkout (every fault on, loyalty declared with a deadline it misses after its first orders), plus two
 * workflows sent as OTLP by the test: one whose span names and attributes are markup, one of 10,000 spans.
 *
 * <p>One application and one browser for the class; each page's screenshot lands in target/ui-screenshots/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkflowPagesIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String XSS_NAME = "<img src=x onerror=alert(1)>";
  private static final String XSS_ATTRIBUTE = "<script>window.__xss = 1</script>";
  private static final String XSS_SERVICE = "\"><svg onload=alert(2)>";
  private static final int BIG_SPANS = 10_000;

  private TracestitchApp app;
  private CheckoutSimulation simulation;
  private HeadlessChromium browser;
  private HttpProbe http;
  private String base;
  private String spansTopic;
  private String prefix;

  @BeforeAll
  void startTheCheckoutTheProcessorAndABrowser() throws IOException {
    prefix = "ui-" + Long.toHexString(System.currentTimeMillis());
    String bootstrap = KafkaBrokerFixture.shared().bootstrapServers();
    CheckoutTopics topics = new CheckoutTopics(prefix + "-spans", prefix + "-order.created",
        prefix + "-payment.authorized");
    spansTopic = topics.spans();
    Path contracts = Files.createTempFile("tracestitch-ui-contracts-", ".yaml");
    contracts.toFile().deleteOnExit();
    // Loyalty stalls after its first orders; declared, it is a PENDING branch of every later workflow for 90 s.
    Files.writeString(contracts, "contracts:\n  - event: " + CheckoutTopics.ORDER_CREATED + "\n    consumers:\n"
        + "      - {name: loyalty, deadline: 90s}\n");
    Map<String, String> settings = new HashMap<>(Map.of(
        TracestitchConfig.BOOTSTRAP_SERVERS, bootstrap,
        TracestitchConfig.APPLICATION_ID, prefix,
        TracestitchConfig.SPANS_TOPIC, topics.spans(),
        TracestitchConfig.EVENTS_TOPICS, String.join(",", topics.eventTopics()),
        TracestitchConfig.GRAPHS_TOPIC, prefix + "-graphs",
        TracestitchConfig.ALERTS_TOPIC, prefix + "-alerts",
        TracestitchConfig.DLQ_TOPIC, prefix + "-dlq",
        TracestitchConfig.INACTIVITY_GAP_MS, "3000",
        TracestitchConfig.TRACE_HOLD_MS, "1000",
        "commit.interval.ms", "200"));
    settings.put(TracestitchConfig.HTTP_PORT, "0");
    settings.put(TracestitchConfig.CONTRACTS_FILE, contracts.toString());
    SimulationSettings simulationSettings = SimulationSettings.of(bootstrap, topics, 2, Faults.all());
    SimulationTopics.ensure(simulationSettings);
    app = new TracestitchApp(TracestitchConfig.load(Map.of(), Map.of(), settings), List.of()).start();
    http = new HttpProbe(app.httpPort());
    base = "http://127.0.0.1:" + app.httpPort();
    simulation = CheckoutSimulation.start(simulationSettings);
    browser = HeadlessChromium.start();
  }

  @AfterAll
  void stop() {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      try {
        if (simulation != null) {
          simulation.close();
        }
      } finally {
        if (app != null) {
          app.close();
        }
      }
    }
  }

  @Test
  void theWorkflowPageShowsTheFailedAnalyticsTheRetriedPaymentTheCorrelationOnlyJoinAndThePendingLoyalty() {
    JsonNode workflow = awaitWorkflowOf(this::hasEveryFault, "an open checkout with failed analytics, payment "
        + "retried, notification joined by correlation id only and loyalty pending");
    String id = workflow.path("workflowId").asText();
    JsonNode graph = workflow.path("graph");

    browser.open(base + "/ui/workflows/" + segment(id));
    assertThat(browser.awaitWorkflowPage()).isEqualTo("rendered");

    int branches = graph.path("branches").size();
    assertThat(elements("#branches-table tbody tr.branch")).as("one row per branch").hasSize(branches);
    assertThat(text("#branches-title")).isEqualTo(branches + " branches");
    assertThat(text("#workflow-id")).isEqualTo(id);
    assertThat(text("#pending-banner")).contains("1 branch is still pending").contains("loyalty");

    WebElement pending = single("#steps g.step.pending[data-state='PENDING']");
    assertThat(pending.findElement(By.cssSelector(".step-title")).getText()).isEqualTo("loyalty");
    assertThat(pending.findElement(By.cssSelector("rect.step-box")).getDomAttribute("stroke-dasharray"))
        .as("the pending consumer is drawn dashed").isNotBlank();
    assertThat(pending.findElement(By.cssSelector(".step-deadline")).getText()).startsWith("deadline ");
    assertThat(elements("#waterfall g.row-pending[data-consumer='loyalty'] rect.pending-bar")).hasSize(1);

    assertThat(elements("#branches-table tr.branch[data-consumer='analytics'][data-state='FAILED']")).hasSize(1);
    assertThat(elements("#waterfall rect.bar.error")).as("the failed analytics and payment attempts").isNotEmpty();
    WebElement retried = single("#waterfall g.row-branch[data-attempts='2']");
    assertThat(retried.getText()).contains("payment handles").contains("2 attempts");
    assertThat(elements("#waterfall .attempt")).extracting(WebElement::getText)
        .contains("attempt 1", "attempt 2");

    assertThat(elements("#steps g.step-edge[data-type='CORRELATED']")).as("correlation-only tie in the steps")
        .isNotEmpty();
    assertThat(elements("#waterfall path.arrow.correlated")).as("correlation-only join across traces").isNotEmpty();

    long consumed = StreamSupport.stream(graph.path("branches").spliterator(), false)
        .filter(b -> b.path("attempts").asInt() > 0).count();
    assertThat(elements("#waterfall rect.queue-wait")).as("a queue-wait segment per branch with an attempt")
        .hasSize((int) consumed);

    int critical = graph.path("criticalPath").size();
    assertThat(elements("#waterfall rect.bar.critical").size() + elements("#waterfall .event-marker.critical").size())
        .as("every node of the critical path marked in the waterfall").isEqualTo(critical);
    assertThat(elements("#steps g.step.critical")).as("critical steps").hasSizeGreaterThanOrEqualTo(3);
    assertThat(elements("#steps g.step.critical[data-step-id^='entry:']")).hasSize(1);
    assertThat(elements("#steps g.step-edge.critical")).isNotEmpty();

    assertThat(elements("#problems .problem")).as("the page reported no failure").isEmpty();
    System.out.println("Workflow page screenshot: " + browser.screenshot("workflow-checkout"));

    // Span details: the failed analytics attempt, with its exception and the attributes kept for it.
    String analytics = StreamSupport.stream(graph.path("branches").spliterator(), false)
        .filter(b -> b.path("consumer").asText().equals("analytics")).findFirst().orElseThrow()
        .path("attemptNodeIds").get(0).asText();
    single("#waterfall g.row[data-node-id='" + analytics + "'] rect.bar").click();
    browser.await(d -> !d.findElements(By.cssSelector("#details table.attributes tr")).isEmpty()
        || !d.findElements(By.cssSelector("#details .stored-span .hint")).isEmpty() ? true : null);
    assertThat(text("#details")).contains("analytics").contains("ConnectException").contains("Attributes kept");
    assertThat(elements("#details table.attributes tr")).as("attributes kept for the span").isNotEmpty();
    System.out.println("Span details screenshot: " + browser.screenshot("workflow-checkout-span-details"));
  }

  @Test
  void theListsPageShowsOpenWorkflowsFiringAlertsWithTheirSamplesAndRecentWorkflowsByStatus() {
    awaitWorkflowOf(this::hasEveryFault, "an open checkout workflow");
    http.await("/api/alerts", a -> a.status() == 200 && a.json().path("alerts").size() > 0, WAIT);

    browser.open(base + "/ui/");
    browser.await(d -> d.findElements(By.cssSelector("#recent-table")).isEmpty() ? null : true);
    browser.await(d -> d.findElements(By.cssSelector("#alerts-table")).isEmpty() ? null : true);
    browser.await(d -> d.findElements(By.cssSelector("#open-table")).isEmpty() ? null : true);

    assertThat(elements("#open-table tr.open-workflow")).isNotEmpty();
    assertThat(text("#open-table")).contains("loyalty").contains("PENDING");
    assertThat(text("#alerts-table")).contains("SILENT_FAILURE").contains("analytics");
    List<WebElement> samples = elements("#alerts-table .samples a.workflow-link");
    assertThat(samples).as("sample workflows linked").isNotEmpty();
    assertThat(samples.get(0).getDomAttribute("href")).startsWith("/ui/workflows/");
    assertThat(elements("#recent-table tr.recent-workflow")).isNotEmpty();
    assertThat(elements("#problems .problem, section .problem")).as("the page reported no failure").isEmpty();
    System.out.println("Lists page screenshot: " + browser.screenshot("lists"));

    browser.open(base + "/ui/?status=FAILED");
    browser.await(d -> d.findElements(By.cssSelector("#recent-table, #recent .empty")).isEmpty() ? null : true);
    List<WebElement> failed = elements("#recent-table tr.recent-workflow");
    assertThat(failed).as("analytics fails in every checkout").isNotEmpty();
    assertThat(failed).allSatisfy(row -> assertThat(row.getDomAttribute("data-status")).isEqualTo("FAILED"));
    assertThat(text(".filter-choice.chosen")).isEqualTo("FAILED");
  }

  @Test
  void theSearchBoxFindsAWorkflowByItsTraceIdAndByAnEventId() {
    JsonNode workflow = awaitWorkflowOf(this::hasEveryFault, "a checkout workflow");
    String id = workflow.path("workflowId").asText();
    JsonNode graph = workflow.path("graph");
    String traceId = graph.path("traceIds").get(graph.path("traceIds").size() - 1).asText();
    String eventId = StreamSupport.stream(graph.path("nodes").spliterator(), false)
        .filter(n -> n.path("kind").asText().equals("EVENT")).findFirst().orElseThrow().path("eventId").asText();

    for (String query : List.of(traceId.toUpperCase(), eventId, id)) {
      browser.open(base + "/ui/");
      WebElement input = browser.await(d -> d.findElement(By.id("search-input")));
      input.sendKeys(query, Keys.ENTER);
      browser.await(d -> d.getCurrentUrl().endsWith("/ui/workflows/" + segment(id)) ? true : null);
      assertThat(browser.awaitWorkflowPage()).as("found by %s", query).isEqualTo("rendered");
      assertThat(text("#workflow-id")).isEqualTo(id);
    }
  }

  @Test
  void aSpanNamedLikeMarkupIsShownAsTextAndNoScriptOfItRuns() {
    String correlationId = prefix + "-xss";
    String trace = randomHex(16);
    String root = randomHex(8);
    String child = randomHex(8);
    long now = System.currentTimeMillis();
    Otlp batch = Otlp.batch()
        .span(XSS_SERVICE, trace, root, null, XSS_NAME, SPAN_KIND_SERVER, now, now + 40)
        .attr("correlation_id", correlationId).attr("http.route", XSS_ATTRIBUTE).done()
        .span("checkout", trace, child, root, "</text><script>window.__xss = 2</script>", SPAN_KIND_INTERNAL,
            now + 5, now + 30).error(XSS_NAME).done();
    KafkaBrokerFixture.produce(spansTopic, List.of(new ProducerRecord<>(spansTopic, null, now, null, batch.toProto())));
    http.await("/api/workflows/" + segment(correlationId), a -> a.status() == 200
        && a.json().path("spanCount").asInt() == 2, WAIT);

    browser.open(base + "/ui/workflows/" + segment(correlationId));
    assertThat(browser.awaitWorkflowPage()).isEqualTo("rendered");
    assertThat(elements("#waterfall .span-name")).extracting(WebElement::getText).contains(XSS_NAME);
    assertThat(elements("#waterfall .service")).extracting(WebElement::getText).contains(XSS_SERVICE);
    assertThat(text("#steps")).contains(XSS_SERVICE);
    single("#waterfall g.row[data-node-id='span:" + root + "'] rect.bar").click();
    browser.await(d -> d.findElements(By.cssSelector("#details table.attributes tr")).isEmpty() ? null : true);
    assertThat(text("#details")).contains(XSS_ATTRIBUTE).contains(XSS_NAME);

    assertThat(browser.script("return document.querySelectorAll('img, script:not([src]), svg svg, foreignObject')"
        + ".length")).as("no element made of the data").isEqualTo(0L);
    assertThat(browser.script("return typeof window.__xss")).isEqualTo("undefined");
    assertThat(noAlertOpen()).as("no alert() ran").isTrue();
    System.out.println("Markup-named span screenshot: " + browser.screenshot("workflow-markup-names"));
  }

  @Test
  void aClockSkewBetweenServicesIsWarnedAboveTheWaterfall() {
    String correlationId = prefix + "-skew";
    String trace = randomHex(16);
    String root = randomHex(8);
    long now = System.currentTimeMillis();
    // The callee's clock runs 800 ms behind: its span starts before the call that caused it.
    Otlp batch = Otlp.batch()
        .span("gateway", trace, root, null, "GET /basket", SPAN_KIND_SERVER, now, now + 60)
        .attr("correlation_id", correlationId).done()
        .span("basket", trace, randomHex(8), root, "load basket", SPAN_KIND_SERVER, now - 800, now - 760).done();
    KafkaBrokerFixture.produce(spansTopic, List.of(new ProducerRecord<>(spansTopic, null, now, null, batch.toProto())));
    http.await("/api/workflows/" + segment(correlationId), a -> a.status() == 200
        && a.json().path("spanCount").asInt() == 2, WAIT);

    browser.open(base + "/ui/workflows/" + segment(correlationId));
    assertThat(browser.awaitWorkflowPage()).isEqualTo("rendered");
    assertThat(text("#notes li.skew-warning")).contains("Clock skew suspected between gateway and basket");
  }

  @Test
  void aWorkflowOfTenThousandSpansRenders() throws IOException {
    String correlationId = prefix + "-big";
    String trace = randomHex(16);
    long now = System.currentTimeMillis();
    // One root, 99 operations under it, 100 steps under each: 10,000 spans in one trace, sent in ten batches.
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    String rootId = spanHex(0);
    Otlp batch = Otlp.batch().span("bulk-import", trace, rootId, null, "POST /imports", SPAN_KIND_SERVER, now,
        now + 12_000).attr("correlation_id", correlationId).ok().done();
    int spans = 1;
    for (int op = 1; op < 100; op++) {
      String opId = spanHex(op * 1000);
      long opStart = now + op * 100L;
      batch.span("importer", trace, opId, rootId, "import-chunk-" + op, SPAN_KIND_INTERNAL, opStart, opStart + 1500)
          .done();
      spans++;
      for (int step = 1; step <= 100 && spans < BIG_SPANS; step++) {
        long s = opStart + step * 14L;
        batch.span(step % 10 == 0 ? "database" : "importer", trace, spanHex(op * 1000 + step), opId,
            step % 10 == 0 ? "INSERT rows" : "transform row batch " + step, SPAN_KIND_INTERNAL, s, s + 12).done();
        spans++;
      }
      if (op % 10 == 0) {
        records.add(new ProducerRecord<>(spansTopic, null, now, null, batch.toProto()));
        batch = Otlp.batch();
      }
    }
    records.add(new ProducerRecord<>(spansTopic, null, now, null, batch.toProto()));
    assertThat(spans).isEqualTo(BIG_SPANS);
    KafkaBrokerFixture.produce(spansTopic, records);
    http.await("/api/workflows/" + segment(correlationId), a -> a.status() == 200
        && a.json().path("spanCount").asInt() == BIG_SPANS, WAIT);

    long started = System.nanoTime();
    browser.open(base + "/ui/workflows/" + segment(correlationId));
    assertThat(browser.awaitWorkflowPage()).isEqualTo("rendered");
    long wallMs = (System.nanoTime() - started) / 1_000_000;
    long pageMs = Long.parseLong(single("body").getDomAttribute("data-rendered-ms"));
    long fetchedMs = Long.parseLong(single("body").getDomAttribute("data-fetched-ms"));
    long builtMs = Long.parseLong(single("body").getDomAttribute("data-built-ms"));
    int rows = Integer.parseInt(single("#waterfall").getDomAttribute("data-rows"));
    int drawn = elements("#waterfall g.row").size();
    String figure = String.format("A workflow of %,d spans: drawn %,d ms after the page was asked for: %,d ms until "
        + "its API answers had arrived (assembly on the server, transfer, JSON), %,d ms building the page in script, "
        + "%,d ms to layout and paint; %,d ms from the test's navigation to 'rendered'; %,d rows, %,d of them in the "
        + "DOM.", BIG_SPANS, pageMs, fetchedMs, builtMs - fetchedMs, pageMs - builtMs, wallMs, rows, drawn);
    System.out.println(figure);
    Files.createDirectories(Path.of("target", "ui-screenshots"));
    Files.writeString(Path.of("target", "ui-screenshots", "render-time.txt"), figure + System.lineSeparator());

    assertThat(rows).as("a row per span and per trace").isEqualTo(BIG_SPANS + 1);
    assertThat(drawn).as("only the rows in view are drawn").isLessThan(500);
    assertThat(pageMs).as("rendered at all in reasonable time (the figure is reported, not judged)")
        .isLessThan(10_000);
    System.out.println("Large workflow screenshot: " + browser.screenshot("workflow-10000-spans"));
    browser.script("document.getElementById('waterfall-scroll').scrollTop = 1e9");
    browser.await(d -> d.findElements(By.cssSelector("#waterfall g.row[data-index='" + (rows - 1) + "']")).isEmpty()
        ? null : true);
    assertThat(elements("#waterfall g.row[data-index='0']")).as("rows scrolled out of view leave the DOM").isEmpty();
  }

  /** Polls the open workflows until one satisfies the condition, answering its full view. */
  private JsonNode awaitWorkflowOf(Predicate<JsonNode> condition, String what) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      HttpProbe.Answer open = http.get("/api/workflows/open?limit=1000");
      if (open.status() == 200) {
        for (JsonNode entry : open.json().path("workflows")) {
          // Quiet for a while, so the page shows the same graph the test reads.
          if (System.currentTimeMillis() - entry.path("lastActivityMs").asLong() < 2_000) {
            continue;
          }
          HttpProbe.Answer answer = http.get("/api/workflows/" + segment(entry.path("workflowId").asText()));
          if (answer.status() == 200 && condition.test(answer.json())) {
            return answer.json();
          }
        }
      }
      sleep();
    }
    throw new AssertionError("No workflow within " + WAIT.toSeconds() + " s is " + what + ".");
  }

  private boolean hasEveryFault(JsonNode workflow) {
    JsonNode graph = workflow.path("graph");
    boolean analyticsFailed = false;
    boolean paymentRetried = false;
    boolean loyaltyPending = false;
    for (JsonNode b : graph.path("branches")) {
      String consumer = b.path("consumer").asText();
      String state = b.path("state").asText();
      analyticsFailed |= consumer.equals("analytics") && state.equals("FAILED");
      paymentRetried |= consumer.equals("payment") && state.equals("SUCCEEDED") && b.path("attempts").asInt() == 2;
      loyaltyPending |= consumer.equals("loyalty") && state.equals("PENDING");
    }
    boolean correlated = StreamSupport.stream(graph.path("edges").spliterator(), false)
        .anyMatch(e -> e.path("type").asText().equals("CORRELATED"));
    return analyticsFailed && paymentRetried && loyaltyPending && correlated && graph.path("traceIds").size() >= 2;
  }

  private List<WebElement> elements(String css) {
    return browser.driver().findElements(By.cssSelector(css));
  }

  private WebElement single(String css) {
    List<WebElement> found = elements(css);
    assertThat(found).as("exactly one element matches %s", css).hasSize(1);
    return found.get(0);
  }

  private String text(String css) {
    return single(css).getText();
  }

  private boolean noAlertOpen() {
    try {
      browser.driver().switchTo().alert();
      return false;
    } catch (NoAlertPresentException e) {
      return true;
    }
  }

  private static String segment(String id) {
    return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String randomHex(int bytes) {
    byte[] value = new byte[bytes];
    new Random().nextBytes(value);
    value[0] |= 1;
    return HexFormat.of().formatHex(value);
  }

  private static String spanHex(int n) {
    return String.format("%016x", 0x5000_0000_0000L + n);
  }

  private static void sleep() {
    try {
      Thread.sleep(500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Interrupted while waiting for a workflow.", e);
    }
  }
}
