package io.kiki.migrations.operator.stage;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kiki.migrations.api.v1alpha1.LintFinding;
import io.kiki.migrations.api.v1alpha1.LintMode;
import io.kiki.migrations.api.v1alpha1.LintReport;
import io.kiki.migrations.api.v1alpha1.LintWaiver;
import io.kiki.migrations.api.v1alpha1.UnrenderableStep;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The {@code lint} object of {@code kiki-migrate plan} (migrations-image/kiki_migrate/lint.py) as
 * status holds it, and the sentences about it in the plan's message, its event and the LintFailed
 * refusal.
 */
public final class PlanLint {
  /**
   * How many of each list status keeps (the runner sends at most 5 of each; the counts are the
   * whole).
   */
  public static final int LIST_CAP = 5;

  static final String NOT_REPORTED =
      "the image's kiki-migrate does not lint (it reported no lint): build the image with a "
          + "newer kiki-migrate";
  private static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private PlanLint() {}

  /** The runner's {@code lint} object (absent: an older runner), with the lists capped. */
  public static LintReport of(JsonNode lint) {
    if (lint == null || !lint.isObject()) {
      LintReport skipped = new LintReport();
      skipped.setFindingCount(0);
      skipped.setSkipped(NOT_REPORTED);
      return skipped;
    }
    LintReport report = MAPPER.convertValue(lint, LintReport.class);
    report.setFindings(capped(report.getFindings()));
    report.setWaivers(capped(report.getWaivers()));
    report.setUnrenderable(capped(report.getUnrenderable()));
    if (report.getFindingCount() == null) {
      report.setFindingCount(report.getFindings().size());
    }
    return report;
  }

  private static <T> List<T> capped(List<T> list) {
    return list == null
        ? new ArrayList<>()
        : new ArrayList<>(list.subList(0, Math.min(LIST_CAP, list.size())));
  }

  public static int findings(LintReport report) {
    return report == null || report.getFindingCount() == null ? 0 : report.getFindingCount();
  }

  private static int count(Integer count) {
    return count == null ? 0 : count;
  }

  /** Whether the plan's message mentions the lint: it found, waived or skipped something. */
  public static boolean noteworthy(LintReport report) {
    return report.getSkipped() != null
        || findings(report) > 0
        || count(report.getWaivedCount()) > 0
        || count(report.getUnrenderableCount()) > 0
        || report.getWaivers().stream().anyMatch(w -> w.getProblem() != null);
  }

  /**
   * For the plan's message: "lint: 1 finding(s) (li02 index-not-concurrent), 1 waived (li04
   * set-not-null), ...".
   */
  public static String summary(LintReport report) {
    if (report.getSkipped() != null) {
      return "lint skipped: " + report.getSkipped();
    }
    StringBuilder text = new StringBuilder("lint: ").append(findings(report)).append(" finding(s)");
    if (!report.getFindings().isEmpty()) {
      text.append(" (")
          .append(
              report.getFindings().stream()
                  .map(f -> f.getRevision() + " " + f.getRule())
                  .collect(Collectors.joining(", ")))
          .append(findings(report) > report.getFindings().size() ? ", ..." : "")
          .append(")");
    }
    if (count(report.getWaivedCount()) > 0) {
      text.append(", ")
          .append(report.getWaivedCount())
          .append(" waived (")
          .append(
              report.getWaivers().stream()
                  .filter(w -> count(w.getWaived()) > 0)
                  .map(w -> w.getRevision() + " " + w.getRule())
                  .collect(Collectors.joining(", ")))
          .append(")");
    }
    List<String> badWaivers =
        report.getWaivers().stream()
            .filter(w -> w.getProblem() != null)
            .map(LintWaiver::getRevision)
            .toList();
    if (!badWaivers.isEmpty()) {
      text.append(", waivers of unknown rules in ").append(String.join(", ", badWaivers));
    }
    if (count(report.getUnrenderableCount()) > 0) {
      text.append(", ")
          .append(report.getUnrenderableCount())
          .append(" step(s) not linted: cannot be rendered offline (")
          .append(
              report.getUnrenderable().stream()
                  .map(UnrenderableStep::getRevision)
                  .collect(Collectors.joining(", ")))
          .append(")");
    }
    return text.toString();
  }

  /**
   * Each listed finding with its statement and the safer form, for the event and the LintFailed
   * message.
   */
  public static String details(LintReport report) {
    return report.getFindings().stream()
        .map(
            f ->
                f.getRevision()
                    + " "
                    + f.getRule()
                    + ": "
                    + f.getStatement()
                    + " -> safer: "
                    + f.getSaferForm())
        .collect(Collectors.joining("; "));
  }

  /** Why spec.lint Block stops the rollout. */
  public static String blockMessage(LintReport report) {
    LintFinding first = report.getFindings().isEmpty() ? null : report.getFindings().get(0);
    return "spec.lint is "
        + LintMode.Block
        + " and the planned SQL has "
        + findings(report)
        + " lint finding(s): "
        + details(report)
        + ". Nothing was changed. Change the revision"
        + (first == null ? "" : " " + first.getRevision())
        + " to the safer form (a new image), waive the rule in its file with `# kiki-lint: disable="
        + (first == null ? "<rule>" : first.getRule())
        + " -- <reason>`, or set spec.lint: Warn";
  }
}
