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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

  /**
   * Why spec.lint Block stops the rollout, and the fix for each listed finding: the waiver each
   * revision's file needs names every rule found in it.
   */
  public static String blockMessage(LintReport report) {
    Map<String, Set<String>> rules = new LinkedHashMap<>();
    for (LintFinding finding : report.getFindings()) {
      rules
          .computeIfAbsent(finding.getRevision(), r -> new LinkedHashSet<>())
          .add(finding.getRule());
    }
    String head =
        "spec.lint is "
            + LintMode.Block
            + " and the planned SQL has "
            + findings(report)
            + " lint finding(s): "
            + details(report)
            + ". Nothing was changed. ";
    if (rules.isEmpty()) {
      return head
          + "Change the revision to the safer form (a new image), waive the rule in its file with "
          + "`# kiki-lint: disable=<rule> -- <reason>`, or set spec.lint: Warn";
    }
    if (rules.size() == 1 && rules.values().iterator().next().size() == 1) {
      Map.Entry<String, Set<String>> only = rules.entrySet().iterator().next();
      return head
          + "Change the revision "
          + only.getKey()
          + " to the safer form (a new image), waive the rule in its file with `# kiki-lint: disable="
          + only.getValue().iterator().next()
          + " -- <reason>`"
          + (findings(report) > report.getFindings().size() ? " (and the unlisted findings')" : "")
          + ", or set spec.lint: Warn";
    }
    return head
        + "For each finding above, change its revision to the safer form (a new image) or waive the"
        + " rule in that revision's file: "
        + rules.entrySet().stream()
            .map(
                e ->
                    e.getKey()
                        + " `# kiki-lint: disable="
                        + String.join(",", e.getValue())
                        + " -- <reason>`")
            .collect(Collectors.joining(", "))
        + (findings(report) > report.getFindings().size()
            ? " (the unlisted findings' revisions and rules too)"
            : "")
        + "; or set spec.lint: Warn";
  }
}
