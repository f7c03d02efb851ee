package io.kiki.migrations.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A `# kiki-lint: disable=<rule> -- reason` comment in a planned revision's file. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LintWaiver {
  @JsonPropertyDescription("Revision whose file holds the comment.")
  private String revision;

  @JsonPropertyDescription("Rule id it waives.")
  private String rule;

  @JsonPropertyDescription("The reason written after `--`.")
  private String reason;

  @JsonPropertyDescription("Findings of this rule in this revision it waived.")
  private Integer waived;

  @JsonPropertyDescription("What is wrong with the comment (an unknown rule id), if anything.")
  private String problem;

  public String getRevision() {
    return revision;
  }

  public void setRevision(String revision) {
    this.revision = revision;
  }

  public String getRule() {
    return rule;
  }

  public void setRule(String rule) {
    this.rule = rule;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public Integer getWaived() {
    return waived;
  }

  public void setWaived(Integer waived) {
    this.waived = waived;
  }

  public String getProblem() {
    return problem;
  }

  public void setProblem(String problem) {
    this.problem = problem;
  }
}
