package io.kiki.migrations.operator.stage;

import com.fasterxml.jackson.databind.JsonNode;
import io.kiki.migrations.api.v1alpha1.LintReport;
import io.kiki.migrations.operator.database.VersionTable;
import io.kiki.migrations.operator.job.RunnerResult;
import java.util.ArrayList;
import java.util.List;

/**
 * The typed result of {@code kiki-migrate plan}. {@code versionTable}: where the project's env.py
 * keeps its version table (Alembic's default when the runner does not say). {@code lint}: the SQL
 * lint of the planned steps ({@link PlanLint}).
 */
public record PlanResult(
    List<String> current,
    List<String> heads,
    String target,
    String direction,
    List<String> steps,
    List<String> irreversibleSteps,
    int stepCount,
    String planHash,
    VersionTable versionTable,
    LintReport lint) {
  public static final String UPGRADE = "upgrade";
  public static final String DOWNGRADE = "downgrade";
  public static final String NONE = "none";

  /** A plan without lint findings. */
  public PlanResult(
      List<String> current,
      List<String> heads,
      String target,
      String direction,
      List<String> steps,
      List<String> irreversibleSteps,
      int stepCount,
      String planHash,
      VersionTable versionTable) {
    this(
        current,
        heads,
        target,
        direction,
        steps,
        irreversibleSteps,
        stepCount,
        planHash,
        versionTable,
        PlanLint.of(
            new com.fasterxml.jackson.databind.ObjectMapper()
                .createObjectNode()
                .put("findingCount", 0)));
  }

  public static PlanResult of(RunnerResult result) {
    List<String> steps = new ArrayList<>();
    JsonNode stepNodes = result.json().get("steps");
    if (stepNodes != null && stepNodes.isArray()) {
      stepNodes.forEach(step -> steps.add(step.path("revision").asText()));
    }
    Long count = result.number("stepCount");
    JsonNode table = result.json().path("versionTable");
    VersionTable versionTable =
        table.isObject()
            ? new VersionTable(table.path("schema").asText(null), table.path("name").asText(null))
            : VersionTable.DEFAULT;
    return new PlanResult(
        result.list("current"),
        result.list("heads"),
        result.text("target"),
        result.text("direction") == null ? NONE : result.text("direction"),
        steps,
        result.list("irreversibleSteps"),
        count == null ? steps.size() : count.intValue(),
        result.text("planHash"),
        versionTable,
        PlanLint.of(result.json().get("lint")));
  }
}
