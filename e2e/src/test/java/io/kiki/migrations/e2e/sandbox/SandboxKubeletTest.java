package io.kiki.migrations.e2e.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kiki.migrations.e2e.Repository;
import io.kiki.migrations.e2e.support.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sandbox kubelet against the mock API server, with hand-made Jobs in the operator's shape. */
class SandboxKubeletTest {

  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path workDir;
  static SandboxApiServer api;
  static KubernetesClient client;
  static SandboxKubelet kubelet;
  static LocalPostgres postgres;

  @BeforeAll
  static void startSandbox() throws Exception {
    Path shellImage = Files.createDirectories(workDir.resolve("shell-image"));
    Files.writeString(shellImage.resolve("alembic.ini"), "");
    ImageMappings images = new ImageMappings(Repository.root().resolve("migrations-image"));
    images.add("example.com/tools/shell:1.0", shellImage);
    api = SandboxApiServer.start();
    client = api.client();
    kubelet =
        new SandboxKubelet(
            client,
            images,
            Repository.root().resolve("migrations-image/bin/kiki-migrate"),
            workDir.resolve("kubelet"));
    kubelet.start();
    postgres = LocalPostgres.fromEnvironmentOrStart(Repository.root());
  }

  @AfterAll
  static void stopSandbox() throws Exception {
    kubelet.close();
    api.close();
    postgres.close();
  }

  @Test
  void runsTheContainerWithResolvedEnvironmentAndVolumesAndCompletesTheJob() throws Exception {
    String ns = namespace();
    String script =
        "mkdir -p \"$BACKUP_DIR\" && echo dump > \"$BACKUP_DIR/one.dump\" && echo scratch > /scratch/x"
            + " && echo \"$GREETING\" >&2"
            + " && printf '{\"ok\": true, \"pod\": \"%s\", \"urlLength\": %s}\\n' \"$POD_NAME\" \"${#KIKI_DATABASE_URL}\" > /dev/termination-log";
    Job job = runJob(ns, "backup-ok", script, 0, 60, "db");

    assertCondition(job, "Complete", "CompletionsReached");
    assertThat(job.getStatus().getSucceeded()).isEqualTo(1);
    assertThat(job.getStatus().getStartTime()).isNotNull();
    assertThat(job.getStatus().getCompletionTime()).isNotNull();
    Pod pod = onlyPod(ns, "backup-ok");
    assertThat(pod.getMetadata().getLabels())
        .containsEntry("job-name", "backup-ok")
        .containsEntry("controller-uid", job.getMetadata().getUid());
    assertThat(pod.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(job.getMetadata().getUid()))
        .satisfies(o -> assertThat(o.getController()).isTrue());
    assertThat(pod.getStatus().getPhase()).isEqualTo("Succeeded");
    ContainerState state = pod.getStatus().getContainerStatuses().get(0).getState();
    assertThat(state.getTerminated().getExitCode()).isZero();
    assertThat(state.getTerminated().getReason()).isEqualTo("Completed");
    JsonNode result = JSON.readTree(state.getTerminated().getMessage());
    assertThat(result.get("pod").asText()).isEqualTo(pod.getMetadata().getName());
    assertThat(result.get("urlLength").asInt())
        .isEqualTo(postgres.server().sqlalchemyUrl().length());
    assertThat(kubelet.pvcDirectory(ns, "backups").resolve("daily/one.dump")).hasContent("dump");
    assertThat(kubelet.podLog(ns, pod.getMetadata().getName(), "kiki-migrate"))
        .hasContent("hello from a configmap");
  }

  @Test
  void failingContainerWithoutResultFallsBackToTheLogTailAndFailsTheJob() throws Exception {
    String ns = namespace();
    String script =
        "for i in $(seq 1 100); do echo line $i; done; echo 'boom: relation does not exist' >&2; exit 3";
    Job job = runJob(ns, "migrate-fails", script, 0, 60, "db");

    assertCondition(job, "Failed", "BackoffLimitExceeded");
    assertThat(job.getStatus().getFailed()).isEqualTo(1);
    assertThat(job.getStatus().getCompletionTime()).isNull();
    Pod pod = onlyPod(ns, "migrate-fails");
    assertThat(pod.getStatus().getPhase()).isEqualTo("Failed");
    var terminated = pod.getStatus().getContainerStatuses().get(0).getState().getTerminated();
    assertThat(terminated.getExitCode()).isEqualTo(3);
    assertThat(terminated.getReason()).isEqualTo("Error");
    assertThat(terminated.getMessage())
        .endsWith("boom: relation does not exist")
        .contains("line 100")
        .doesNotContain("line 20\n")
        .hasLineCount(ContainerStatuses.FALLBACK_LOG_LINES);
  }

  @Test
  void backoffLimitGivesFurtherPods() throws Exception {
    String ns = namespace();
    Job job = runJob(ns, "retried", "exit 1", 2, 60, "db");

    assertCondition(job, "Failed", "BackoffLimitExceeded");
    assertThat(job.getStatus().getFailed()).isEqualTo(3);
    assertThat(client.pods().inNamespace(ns).withLabel("job-name", "retried").list().getItems())
        .hasSize(3);
  }

  @Test
  void missingSecretKeepsThePodWaitingUntilTheDeadline() throws Exception {
    String ns = namespace();
    Job job = runJob(ns, "no-secret", "echo never", 0, 3, "missing-secret");

    assertCondition(job, "Failed", "DeadlineExceeded");
    assertThat(job.getStatus().getSucceeded()).isNull();
    assertThat(client.pods().inNamespace(ns).withLabel("job-name", "no-secret").list().getItems())
        .as("the job controller deletes the active pod at the deadline")
        .isEmpty();
  }

  @Test
  void waitingPodReportsCreateContainerConfigError() throws Exception {
    String ns = namespace();
    apply(
        "shell-job-inputs.yaml",
        Map.of("namespace", ns, "databaseUrl", postgres.server().sqlalchemyUrl()));
    apply("shell-job.yaml", jobValues(ns, "config-error", "echo never", 0, 30, "missing-secret"));

    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              Pod pod = onlyPod(ns, "config-error");
              var waiting = pod.getStatus().getContainerStatuses().get(0).getState().getWaiting();
              assertThat(waiting.getReason()).isEqualTo("CreateContainerConfigError");
              assertThat(waiting.getMessage()).isEqualTo("secret \"missing-secret\" not found");
            });
    client.batch().v1().jobs().inNamespace(ns).withName("config-error").delete();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                client
                    .pods()
                    .inNamespace(ns)
                    .withLabel("job-name", "config-error")
                    .list()
                    .getItems()
                    .isEmpty());
  }

  @Test
  void activeDeadlineKillsTheProcess() throws Exception {
    String ns = namespace();
    Path marker = workDir.resolve("killed-" + ns);
    long started = System.nanoTime();
    Job job = runJob(ns, "too-slow", "sleep 60; touch " + marker, 0, 2, "db");

    assertCondition(job, "Failed", "DeadlineExceeded");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
    Thread.sleep(500);
    assertThat(marker).doesNotExist();
  }

  @Test
  void runsTheRealRunnerOfTheKikiImage() throws Exception {
    String ns = namespace();
    PostgresUrl database = postgres.createDatabase("kubelet_" + ns.replace('-', '_'));
    apply(
        "shell-job-inputs.yaml", Map.of("namespace", ns, "databaseUrl", database.sqlalchemyUrl()));
    apply("runner-job.yaml", Map.of("namespace", ns, "name", "current"));
    Job job = awaitFinished(ns, "current");

    Pod pod = onlyPod(ns, "current");
    String message =
        pod.getStatus().getContainerStatuses().get(0).getState().getTerminated().getMessage();
    assertCondition(job, "Complete", "CompletionsReached");
    JsonNode result = JSON.readTree(message);
    assertThat(result.get("ok").asBoolean()).isTrue();
    assertThat(result.get("command").asText()).isEqualTo("current");
    assertThat(result.get("current").isArray()).isTrue();
    assertThat(result.get("current")).isEmpty();
    assertThat(Files.readString(kubelet.podLog(ns, pod.getMetadata().getName(), "kiki-migrate")))
        .doesNotContain(database.password());
  }

  private Job runJob(
      String ns, String name, String script, int backoffLimit, int deadline, String secret)
      throws Exception {
    apply(
        "shell-job-inputs.yaml",
        Map.of("namespace", ns, "databaseUrl", postgres.server().sqlalchemyUrl()));
    apply("shell-job.yaml", jobValues(ns, name, script, backoffLimit, deadline, secret));
    return awaitFinished(ns, name);
  }

  private static Map<String, String> jobValues(
      String ns, String name, String script, int backoffLimit, int deadline, String secret)
      throws Exception {
    Map<String, String> values = new HashMap<>();
    values.put("namespace", ns);
    values.put("name", name);
    values.put("script", JSON.writeValueAsString(script));
    values.put("backoffLimit", String.valueOf(backoffLimit));
    values.put("deadline", String.valueOf(deadline));
    values.put("secret", secret);
    return values;
  }

  private static void apply(String fixture, Map<String, String> values) {
    List<HasMetadata> resources = Fixtures.resources(SandboxKubeletTest.class, fixture, values);
    for (HasMetadata resource : resources) {
      if (client.resource(resource).get() == null) {
        client.resource(resource).create();
      }
    }
  }

  private static Job awaitFinished(String ns, String name) {
    return await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> client.batch().v1().jobs().inNamespace(ns).withName(name).get(),
            job ->
                job.getStatus() != null
                    && job.getStatus().getConditions() != null
                    && job.getStatus().getConditions().stream()
                        .anyMatch(c -> List.of("Complete", "Failed").contains(c.getType())));
  }

  private static void assertCondition(Job job, String type, String reason) {
    assertThat(job.getStatus().getConditions())
        .extracting(JobCondition::getType)
        .containsExactly(type.equals("Complete") ? "SuccessCriteriaMet" : "FailureTarget", type);
    JobCondition condition = job.getStatus().getConditions().get(1);
    assertThat(condition.getStatus()).isEqualTo("True");
    assertThat(condition.getReason()).isEqualTo(reason);
    assertThat(job.getStatus().getActive()).isNull();
  }

  private static Pod onlyPod(String ns, String job) {
    List<Pod> pods =
        client
            .pods()
            .inNamespace(ns)
            .withLabel("batch.kubernetes.io/job-name", job)
            .list()
            .getItems();
    assertThat(pods).hasSize(1);
    return pods.get(0);
  }

  private static String namespace() {
    String ns = "kubelet-" + NAMESPACES.incrementAndGet();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    return ns;
  }
}
