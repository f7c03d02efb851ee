package io.kiki.migrations.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/**
 * The plan's SQL lint: counts, and the first few of each list (the runner caps them; its log has
 * all).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LintReport {
  @JsonPropertyDescription("spec.lint when the plan ran: Warn or Block.")
  private LintMode mode;

  @JsonPropertyDescription("Statements that take a long or strong lock, not waived.")
  private Integer findingCount;

  @JsonPropertyDescription("The first findings.")
  private List<LintFinding> findings = new ArrayList<>();

  @JsonPropertyDescription("Findings a waiver comment in the revision's file waived.")
  private Integer waivedCount;

  @JsonPropertyDescription("The first waiver comments in the planned revisions.")
  private List<LintWaiver> waivers = new ArrayList<>();

  @JsonPropertyDescription("Planned steps that could not be rendered offline, so were not linted.")
  private Integer unrenderableCount;

  @JsonPropertyDescription("The first of those steps.")
  private List<UnrenderableStep> unrenderable = new ArrayList<>();

  @JsonPropertyDescription(
      "Why the plan was not linted at all (a database other than PostgreSQL, a runner without the lint).")
  private String skipped;

  public LintMode getMode() {
    return mode;
  }

  public void setMode(LintMode mode) {
    this.mode = mode;
  }

  public Integer getFindingCount() {
    return findingCount;
  }

  public void setFindingCount(Integer findingCount) {
    this.findingCount = findingCount;
  }

  public List<LintFinding> getFindings() {
    return findings;
  }

  public void setFindings(List<LintFinding> findings) {
    this.findings = findings;
  }

  public Integer getWaivedCount() {
    return waivedCount;
  }

  public void setWaivedCount(Integer waivedCount) {
    this.waivedCount = waivedCount;
  }

  public List<LintWaiver> getWaivers() {
    return waivers;
  }

  public void setWaivers(List<LintWaiver> waivers) {
    this.waivers = waivers;
  }

  public Integer getUnrenderableCount() {
    return unrenderableCount;
  }

  public void setUnrenderableCount(Integer unrenderableCount) {
    this.unrenderableCount = unrenderableCount;
  }

  public List<UnrenderableStep> getUnrenderable() {
    return unrenderable;
  }

  public void setUnrenderable(List<UnrenderableStep> unrenderable) {
    this.unrenderable = unrenderable;
  }

  public String getSkipped() {
    return skipped;
  }

  public void setSkipped(String skipped) {
    this.skipped = skipped;
  }
}
