package io.kiki.migrations.operator.stage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.RollbackStrategy;
import io.kiki.migrations.api.v1alpha1.Rollout;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.operator.database.Redaction;
import io.kiki.migrations.operator.job.JobRunner;
import io.kiki.migrations.operator.job.Labels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The plan a reviewer reads, kept in a ConfigMap owned by the resource ({@code <name>-plan}, named
 * in status.rollout.planConfigMap) rather than in the status, whose size is limited: the steps, the
 * irreversible ones, each step's SQL as Alembic's offline mode renders it, and what a rollback
 * would do.
 *
 * <p>The result of the plan Job comes through the 4 KiB termination message, too small for SQL; the
 * runner also writes the whole plan document to its log between two marker lines, and this class
 * reads it from the finished pod's log ({@code get pods/log}). When the log cannot be read (the pod
 * is gone, the cluster serves no logs) the ConfigMap holds the plan from the result and says the
 * SQL is missing and why: the plan hash, which the runner computed over the scripts and their SQL,
 * is the same either way.
 */
public final class PlanReview {
  public static final String BEGIN_MARKER = "----- BEGIN KIKI PLAN DOCUMENT -----";
  public static final String END_MARKER = "----- END KIKI PLAN DOCUMENT -----";

  /** Keys of the ConfigMap. */
  public static final String PLAN_KEY = "plan.txt";

  public static final String PLAN_HASH_KEY = "planHash";

  /**
   * The plan text is cut at this size: a ConfigMap holds at most 1 MiB, and its name, labels and
   * owner reference need some of it.
   */
  static final int MAX_PLAN_BYTES = 900 * 1024;

  /** What is read of the pod's log at most (a document above the ConfigMap's cap is cut anyway). */
  static final int MAX_LOG_BYTES = 4 * 1024 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;
  private final JobRunner jobs;

  public PlanReview(KubernetesClient client, JobRunner jobs) {
    this.client = client;
    this.jobs = jobs;
  }

  /** What was published: the ConfigMap's name and, when the SQL is missing, why. */
  public record Published(String configMap, Optional<String> problem) {}

  public static String configMapName(String resourceName) {
    return resourceName + "-plan";
  }

  /**
   * Reads the plan document from the plan Job's pod and writes the plan ConfigMap for the rollout
   * in {@code context}, whose plan fields are already set.
   */
  public Published publish(RolloutContext context) {
    Rollout rollout = context.rollout();
    Optional<JsonNode> document = Optional.empty();
    String problem = null;
    try {
      Optional<String> log =
          jobs.finishedPodLog(
              context.namespace(), rollout.getJobs().get(RolloutStage.Plan), MAX_LOG_BYTES);
      if (log.isEmpty()) {
        problem = "the plan Job's pod is gone, so its log cannot be read";
      } else {
        document = document(log.get());
        if (document.isEmpty()) {
          problem = "the plan pod's log holds no complete plan document";
        }
      }
    } catch (KubernetesClientException e) {
      problem =
          "the plan pod's log cannot be read ("
              + (e.getCode() > 0 ? "HTTP " + e.getCode() + ": " : "")
              + Messages.clause(Redaction.redact(String.valueOf(e.getMessage())))
              + ")";
    }
    if (document.isPresent()
        && rollout.getPlanHash() != null
        && !rollout.getPlanHash().equals(document.get().path("planHash").asText())) {
      problem =
          "the plan pod's log holds plan "
              + document.get().path("planHash").asText()
              + ", not "
              + rollout.getPlanHash();
      document = Optional.empty();
    }
    String text =
        render(
            context.resource(),
            rollout,
            document.orElse(null),
            problem,
            context.backupEnabled(),
            context.rollback().getOnFailure());
    String name = configMapName(context.name());
    ConfigMap configMap = build(context.resource(), rollout.getPlanHash(), text);
    client
        .configMaps()
        .inNamespace(context.namespace())
        .resource(configMap)
        .createOr(NonDeletingOperation::update);
    return new Published(name, Optional.ofNullable(problem));
  }

  /** The last complete document between the markers in {@code log}. */
  static Optional<JsonNode> document(String log) {
    int end = log.lastIndexOf(END_MARKER);
    if (end < 0) {
      return Optional.empty();
    }
    int begin = log.lastIndexOf(BEGIN_MARKER, end);
    if (begin < 0) {
      return Optional.empty();
    }
    String body = log.substring(begin + BEGIN_MARKER.length(), end).trim();
    try {
      JsonNode node = JSON.readTree(body);
      return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
    } catch (java.io.IOException e) {
      return Optional.empty();
    }
  }

  static ConfigMap build(DatabaseMigration resource, String planHash, String text) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(PLAN_HASH_KEY, planHash == null ? "" : planHash);
    data.put(PLAN_KEY, text);
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(configMapName(resource.getMetadata().getName()))
        .withNamespace(resource.getMetadata().getNamespace())
        .addToLabels(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
        .addToLabels(Labels.INSTANCE, resource.getMetadata().getName())
        .withOwnerReferences(
            new OwnerReferenceBuilder()
                .withApiVersion(resource.getApiVersion())
                .withKind(resource.getKind())
                .withName(resource.getMetadata().getName())
                .withUid(resource.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build())
        .endMetadata()
        .withData(data)
        .build();
  }

  /**
   * The plan for review as text: what runs, what cannot be undone, what a rollback would do, then
   * the SQL of each step; cut at {@link #MAX_PLAN_BYTES}, saying so.
   */
  static String render(
      DatabaseMigration resource,
      Rollout rollout,
      JsonNode document,
      String problem,
      boolean backupEnabled,
      RollbackStrategy onFailure) {
    StringBuilder text = new StringBuilder();
    text.append("Plan ")
        .append(rollout.getPlanHash())
        .append(" of DatabaseMigration ")
        .append(resource.getMetadata().getNamespace())
        .append('/')
        .append(resource.getMetadata().getName())
        .append(" (generation ")
        .append(rollout.getGeneration())
        .append(")\n");
    text.append("Image:     ").append(rollout.getImage()).append('\n');
    text.append("Direction: ")
        .append(rollout.getDirection())
        .append(" from ")
        .append(rollout.getFrom())
        .append(" to ")
        .append(rollout.getTo())
        .append('\n');
    List<String> irreversible = rollout.getIrreversibleSteps();
    List<JsonNode> steps = new ArrayList<>();
    if (document != null) {
      document.path("steps").forEach(steps::add);
    }
    int stepCount =
        document != null
            ? document.path("stepCount").asInt(steps.size())
            : rollout.getSteps().size();
    text.append("Steps (").append(stepCount).append(", in order):\n");
    if (document != null) {
      for (JsonNode step : steps) {
        text.append("  ")
            .append(step.path("revision").asText())
            .append("  ")
            .append(step.path("message").asText())
            .append(step.path("reversible").asBoolean(true) ? "" : "   [irreversible]")
            .append('\n');
      }
    } else {
      rollout
          .getSteps()
          .forEach(
              s ->
                  text.append("  ")
                      .append(s)
                      .append(irreversible.contains(s) ? "   [irreversible]" : "")
                      .append('\n'));
    }
    text.append("Irreversible steps: ")
        .append(irreversible.isEmpty() ? "none" : String.join(", ", irreversible))
        .append('\n');
    text.append("If the migration or its verification fails: ")
        .append(rollbackText(rollout, backupEnabled, onFailure))
        .append("\n\n");
    if (document == null) {
      text.append("SQL: not available: ")
          .append(problem)
          .append(". The plan hash covers each step's script and its SQL all the same; run")
          .append(" `kiki-migrate plan --target ")
          .append(rollout.getTo())
          .append("` with the image to see the SQL.\n");
      return cut(text);
    }
    for (JsonNode step : steps) {
      text.append("-- ===== ")
          .append(step.path("revision").asText())
          .append(": ")
          .append(step.path("message").asText())
          .append(" (script sha256 ")
          .append(step.path("scriptSha256").asText("unknown"))
          .append(")\n");
      if (step.hasNonNull("sql")) {
        text.append(step.get("sql").asText()).append('\n');
      } else {
        text.append("-- cannot be rendered offline (--sql): ")
            .append(step.path("renderError").asText("unknown reason"))
            .append('\n');
      }
    }
    return cut(text);
  }

  /** What a rollback does after a failure of this plan, in the words a reviewer needs. */
  static String rollbackText(Rollout rollout, boolean backupEnabled, RollbackStrategy onFailure) {
    String restore =
        "restore the backup taken before the migration (pg_restore), which discards every write made to"
            + " the database after the backup";
    String from = rollout.getFrom();
    boolean irreversible = !rollout.getIrreversibleSteps().isEmpty();
    RollbackStrategy strategy =
        onFailure == null ? RollbackStrategy.DowngradeThenRestore : onFailure;
    return switch (strategy) {
      case None -> "nothing is rolled back (rollback.onFailure None): the rollout ends Failed";
      case Restore -> restore + ", back to " + from;
      case Downgrade ->
          irreversible
              ? "a downgrade cannot undo the irreversible steps (rollback.onFailure Downgrade): the rollout"
                  + " ends Failed where the database stands"
              : "downgrade back to " + from + " with each step's downgrade()";
      case DowngradeThenRestore -> {
        if (irreversible) {
          yield backupEnabled
              ? restore + ", back to " + from + " (the irreversible steps cannot be downgraded)"
              : "the irreversible steps cannot be downgraded and there is no backup"
                  + " (backup.enabled false): the rollout ends Failed";
        }
        yield "downgrade back to "
            + from
            + " with each step's downgrade()"
            + (backupEnabled ? "; if that fails, " + restore : "");
      }
    };
  }

  private static String cut(StringBuilder text) {
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= MAX_PLAN_BYTES) {
      return text.toString();
    }
    String note =
        "\n-- [cut: the plan is "
            + bytes.length
            + " bytes; a ConfigMap holds at most 1 MiB, so the text stops at "
            + MAX_PLAN_BYTES
            + " bytes. Run `kiki-migrate plan` with the image for the rest.]\n";
    int keep = MAX_PLAN_BYTES - note.getBytes(StandardCharsets.UTF_8).length;
    String head = new String(bytes, 0, keep, StandardCharsets.UTF_8);
    // A multi-byte character cut in half decodes as U+FFFD: drop it.
    if (head.endsWith("\uFFFD")) {
      head = head.substring(0, head.length() - 1);
    }
    return head + note;
  }
}
