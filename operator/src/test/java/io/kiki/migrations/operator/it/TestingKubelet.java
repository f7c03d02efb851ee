package io.kiki.migrations.operator.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.kiki.migrations.operator.database.AlembicRevisionReader;
import io.kiki.migrations.operator.database.JdbcTarget;
import io.kiki.migrations.operator.database.SqlAlchemyUrl;
import io.kiki.migrations.operator.job.RunnerError;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Plays the kubelet and the Job controller for the mock API server: for each new kiki-migrate Job
 * it creates the pod (job-name labels, container terminated with the runner's result JSON as
 * termination message, exactly as the runner contract says) and sets the Job's status and
 * conditions. The Job did not really run, so it applies the revision change to the real PostgreSQL
 * database's alembic_version table, which the operator then reads over JDBC.
 */
public class TestingKubelet implements AutoCloseable {
  /**
   * A scripted failure of one command: the runner's error and message, optionally the revision the
   * database is left at.
   */
  public record Failure(RunnerError error, String message, String leaveDatabaseAt) {}

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private final KubernetesClient client;
  private final String namespace;
  private final Map<String, TestingProject> projects;
  private final Map<String, Failure> failures = new ConcurrentHashMap<>();
  private final Map<String, String> backups = new ConcurrentHashMap<>();
  private final List<Job> seen = new CopyOnWriteArrayList<>();
  private final Set<String> handled = ConcurrentHashMap.newKeySet();
  private final ExecutorService executor = Executors.newSingleThreadExecutor();
  private final AtomicBoolean paused = new AtomicBoolean(false);
  private final Set<String> heldCommands = ConcurrentHashMap.newKeySet();
  private final List<Job> held = new CopyOnWriteArrayList<>();
  private Watch watch;

  public TestingKubelet(
      KubernetesClient client, String namespace, Map<String, TestingProject> projects) {
    this.client = client;
    this.namespace = namespace;
    this.projects = projects;
  }

  public TestingKubelet start() {
    watch =
        client
            .batch()
            .v1()
            .jobs()
            .inNamespace(namespace)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, Job job) {
                    // By UID: a Job deleted and created again with the same name is a new Job.
                    if (action == Action.ADDED && handled.add(job.getMetadata().getUid())) {
                      seen.add(job);
                      if (paused.get() || heldCommands.contains(command(job))) {
                        held.add(job);
                      } else {
                        executor.submit(() -> run(job));
                      }
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
    return this;
  }

  /**
   * Every later run of {@code command} (plan, upgrade, downgrade, backup, restore) fails like this;
   * "plan --then-upgrade": only the plan runs that also upgrade. A failing "upgrade" also fails the
   * upgrade of {@code plan --then-upgrade}, after its plan.
   */
  public TestingKubelet fail(String command, Failure failure) {
    failures.put(command, failure);
    return this;
  }

  public void clearFailures() {
    failures.clear();
  }

  /** New Jobs stay pending (not run) until {@link #resume()}. */
  public void pause() {
    paused.set(true);
  }

  /** New Jobs running {@code command} stay pending (not run) until {@link #resume()}. */
  public void hold(String command) {
    heldCommands.add(command);
  }

  public void resume() {
    paused.set(false);
    heldCommands.clear();
    held.forEach(job -> executor.submit(() -> run(job)));
    held.clear();
  }

  public List<Job> jobs() {
    return List.copyOf(seen);
  }

  public List<String> jobNames() {
    return seen.stream().map(j -> j.getMetadata().getName()).toList();
  }

  public List<String> commands() {
    return seen.stream().map(TestingKubelet::command).toList();
  }

  static String command(Job job) {
    return job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs().get(0);
  }

  public Job job(String name) {
    return seen.stream()
        .filter(j -> j.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  public static List<String> args(Job job) {
    return job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
  }

  public static String image(Job job) {
    return job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  private void run(Job job) {
    try {
      List<String> args = job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
      String image = job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
      JdbcTarget database = database(job);
      Map<String, Object> result = execute(args, image, database);
      complete(job, result);
    } catch (Exception e) {
      throw new IllegalStateException(
          "TestingKubelet could not run Job " + job.getMetadata().getName(), e);
    }
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> execute(List<String> args, String image, JdbcTarget database)
      throws SQLException {
    String command = args.get(0);
    TestingProject project = projects.get(image);
    List<String> current = readRevision(database);
    Failure failure = failures.get(command);
    if (args.contains("--then-upgrade") && failures.containsKey("plan --then-upgrade")) {
      failure = failures.get("plan --then-upgrade");
    }
    if (failure != null) {
      if (failure.leaveDatabaseAt() != null) {
        writeRevision(database, failure.leaveDatabaseAt());
      }
      return error(command, failure.error(), failure.message());
    }
    String currentId = current.isEmpty() ? "base" : current.get(0);
    switch (command) {
      case "plan", "upgrade", "downgrade" -> {
        String targetArgument = args.get(2);
        if (project.multipleHeads() && targetArgument.equals("head")) {
          return error(
              command,
              RunnerError.MULTIPLE_HEADS,
              "the project has 2 heads, so 'head' is ambiguous: run `alembic merge heads -m merge`");
        }
        String target = targetArgument.equals("head") ? project.head() : targetArgument;
        if (project.index(target) == null) {
          return error(
              command,
              RunnerError.UNKNOWN_REVISION,
              "revision '" + target + "' is not in this image's Alembic project");
        }
        if (project.index(currentId) == null) {
          // As the runner: the resolved target too, which the operator uses with the image that
          // applied currentId.
          Map<String, Object> error =
              error(
                  command,
                  RunnerError.UNKNOWN_CURRENT_REVISION,
                  "the database is at revision "
                      + currentId
                      + ", which this image's Alembic project does not contain");
          ((Map<String, Object>) error.get("error")).put("target", target);
          ((Map<String, Object>) error.get("error")).put("unknown", List.of(currentId));
          ((Map<String, Object>) error.get("error")).put("heads", List.of(project.head()));
          return error;
        }
        int from = project.index(currentId);
        int to = project.index(target);
        String direction = to > from ? "upgrade" : to < from ? "downgrade" : "none";
        if (command.equals("plan")) {
          Map<String, Object> plan = plan(project, current, target, direction, from, to);
          if (!args.contains("--then-upgrade") || !direction.equals("upgrade")) {
            return plan;
          }
          // As the runner's plan --then-upgrade: the upgrade in the same run; a scripted upgrade
          // failure fails it with the plan in the error.
          Failure upgradeFailure = failures.get("upgrade");
          if (upgradeFailure != null) {
            if (upgradeFailure.leaveDatabaseAt() != null) {
              writeRevision(database, upgradeFailure.leaveDatabaseAt());
            }
            Map<String, Object> error =
                error(command, upgradeFailure.error(), upgradeFailure.message());
            ((Map<String, Object>) error.get("error")).put("plan", plan);
            return error;
          }
          writeRevision(database, target);
          Map<String, Object> migration = new LinkedHashMap<>();
          migration.put("from", current);
          migration.put("to", List.of(target));
          migration.put("target", target);
          migration.put("applied", List.of());
          migration.put("durationMs", 5);
          plan.put("migration", migration);
          return plan;
        }
        writeRevision(database, target);
        Map<String, Object> result = ok(command);
        result.put("from", current);
        result.put("to", target.equals("base") ? List.of() : List.of(target));
        result.put("applied", List.of());
        result.put("durationMs", 5);
        return result;
      }
      case "backup" -> {
        String name = args.get(4) + "-" + System.nanoTime() + ".dump";
        backups.put(name, currentId);
        Map<String, Object> result = ok(command);
        result.put("file", name);
        result.put("path", "/backups/" + name);
        result.put("sizeBytes", 2048);
        result.put("sha256", "0".repeat(64));
        result.put("revision", currentId);
        result.put("verified", true);
        result.put("durationMs", 7);
        result.put("removed", List.of());
        return result;
      }
      case "restore" -> {
        String file = args.get(2).substring(args.get(2).lastIndexOf('/') + 1);
        String revision = backups.get(file);
        if (revision == null) {
          return error(command, RunnerError.RESTORE_FAILED, "no backup file " + file);
        }
        writeRevision(database, revision);
        Map<String, Object> result = ok(command);
        result.put("file", file);
        result.put("revision", revision);
        result.put("durationMs", 9);
        return result;
      }
      default -> {
        return error(command, RunnerError.BAD_ARGUMENTS, "unknown command " + command);
      }
    }
  }

  private static Map<String, Object> plan(
      TestingProject project,
      List<String> current,
      String target,
      String direction,
      int from,
      int to) {
    List<Map<String, Object>> steps = new ArrayList<>();
    List<String> irreversible = new ArrayList<>();
    if (direction.equals("upgrade")) {
      for (int i = from + 1; i <= to; i++) {
        String revision = project.revisions().get(i);
        steps.add(
            step(
                revision,
                i == 0 ? null : project.revisions().get(i - 1),
                !project.irreversible().contains(revision)));
        if (project.irreversible().contains(revision)) {
          irreversible.add(revision);
        }
      }
    } else if (direction.equals("downgrade")) {
      for (int i = from; i > to; i--) {
        String revision = project.revisions().get(i);
        steps.add(
            step(
                revision,
                i == 0 ? null : project.revisions().get(i - 1),
                !project.irreversible().contains(revision)));
      }
    }
    Map<String, Object> result = ok("plan");
    result.put("current", current);
    result.put("heads", List.of(project.head()));
    result.put("target", target);
    result.put("direction", direction);
    result.put("steps", steps);
    result.put("stepCount", steps.size());
    result.put("irreversibleSteps", irreversible);
    result.put(
        "planHash",
        String.format("%016x", (current + target + direction).hashCode() & 0xffffffffL));
    result.put("lint", lint(project, direction, steps));
    return result;
  }

  /**
   * The plan's lint object as the runner writes it: a finding for each upgraded revision the
   * project marks.
   */
  private static Map<String, Object> lint(
      TestingProject project, String direction, List<Map<String, Object>> steps) {
    List<Map<String, Object>> findings = new ArrayList<>();
    for (Map<String, Object> step : steps) {
      String rule = project.lintFindings().get((String) step.get("revision"));
      if (rule != null && direction.equals("upgrade")) {
        Map<String, Object> finding = new LinkedHashMap<>();
        finding.put("revision", step.get("revision"));
        finding.put("rule", rule);
        finding.put(
            "statement", "CREATE INDEX ix_" + step.get("revision") + " ON accounts (email)");
        finding.put(
            "saferForm",
            "CREATE INDEX CONCURRENTLY (postgresql_concurrently=True) in an autocommit_block()");
        findings.add(finding);
      }
    }
    Map<String, Object> lint = new LinkedHashMap<>();
    lint.put("findingCount", findings.size());
    lint.put("findings", findings);
    lint.put("waivedCount", 0);
    lint.put("waiverCount", 0);
    lint.put("waivers", List.of());
    lint.put("unrenderableCount", 0);
    lint.put("unrenderable", List.of());
    return lint;
  }

  private static Map<String, Object> step(String revision, String down, boolean reversible) {
    Map<String, Object> step = new LinkedHashMap<>();
    step.put("revision", revision);
    step.put("downRevision", down);
    step.put("message", "revision " + revision);
    step.put("reversible", reversible);
    return step;
  }

  private static Map<String, Object> ok(String command) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("ok", true);
    result.put("command", command);
    return result;
  }

  private static Map<String, Object> error(String command, RunnerError error, String message) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("ok", false);
    result.put("command", command);
    result.put("error", new LinkedHashMap<>(Map.of("code", error.name(), "message", message)));
    return result;
  }

  /** The runner's exit code: 0, or the class of the error its result names. */
  private static int exitCode(Map<String, Object> result) {
    if (Boolean.TRUE.equals(result.get("ok"))) {
      return RunnerError.ExitClass.OK.exitCode();
    }
    Object code = ((Map<?, ?>) result.get("error")).get("code");
    return RunnerError.valueOf((String) code).exitCode();
  }

  private void complete(Job job, Map<String, Object> result) throws Exception {
    boolean ok = Boolean.TRUE.equals(result.get("ok"));
    String message = MAPPER.writeValueAsString(result);
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    String name = job.getMetadata().getName();
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name + "-" + Long.toHexString(System.nanoTime() & 0xfffff))
            .withNamespace(namespace)
            .addToLabels("batch.kubernetes.io/job-name", name)
            .addToLabels("job-name", name)
            .addToLabels(
                "batch.kubernetes.io/controller-uid", String.valueOf(job.getMetadata().getUid()))
            .addToLabels(job.getSpec().getTemplate().getMetadata().getLabels())
            .endMetadata()
            .withSpec(job.getSpec().getTemplate().getSpec())
            .withNewStatus()
            .withPhase(ok ? "Succeeded" : "Failed")
            .addNewContainerStatus()
            .withName("kiki-migrate")
            .withImage(job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
            .withReady(false)
            .withRestartCount(0)
            .withNewState()
            .withNewTerminated()
            .withExitCode(exitCode(result))
            .withReason(ok ? "Completed" : "Error")
            .withMessage(message)
            .withStartedAt(now)
            .withFinishedAt(now)
            .endTerminated()
            .endState()
            .endContainerStatus()
            .endStatus()
            .build();
    client.pods().inNamespace(namespace).resource(pod).create();
    Job current = client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
    current.setStatus(
        new JobStatusBuilder()
            .withStartTime(now)
            .withCompletionTime(ok ? now : null)
            .withSucceeded(ok ? 1 : 0)
            .withFailed(ok ? 0 : 1)
            .withConditions(
                new JobConditionBuilder()
                    .withType(ok ? "Complete" : "Failed")
                    .withStatus("True")
                    .withReason(ok ? null : "BackoffLimitExceeded")
                    .withMessage(ok ? null : "Job has reached the specified backoff limit")
                    .withLastTransitionTime(now)
                    .build())
            .build());
    client.batch().v1().jobs().inNamespace(namespace).resource(current).updateStatus();
  }

  private JdbcTarget database(Job job) throws Exception {
    EnvVar env =
        job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
            .filter(e -> e.getName().equals("KIKI_DATABASE_URL"))
            .findFirst()
            .orElseThrow();
    String secretName = env.getValueFrom().getSecretKeyRef().getName();
    String key = env.getValueFrom().getSecretKeyRef().getKey();
    Secret secret = client.secrets().inNamespace(namespace).withName(secretName).get();
    String url =
        secret.getStringData() != null && secret.getStringData().containsKey(key)
            ? secret.getStringData().get(key)
            : new String(
                Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    return SqlAlchemyUrl.toJdbc(url);
  }

  /** The database's revisions, read as the operator reads them. */
  static List<String> readRevision(JdbcTarget database) {
    return new AlembicRevisionReader(CONNECT_TIMEOUT).read(database);
  }

  static void writeRevision(JdbcTarget database, String revision) throws SQLException {
    try (Connection connection = database.connect(CONNECT_TIMEOUT);
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)");
      statement.execute("DELETE FROM alembic_version");
      if (!revision.equals("base")) {
        statement.execute("INSERT INTO alembic_version VALUES ('" + revision + "')");
      }
    }
  }

  @Override
  public void close() {
    if (watch != null) {
      watch.close();
    }
    executor.shutdownNow();
  }
}
