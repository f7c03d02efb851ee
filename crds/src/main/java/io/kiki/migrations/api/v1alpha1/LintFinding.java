package io.kiki.migrations.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * One statement of the planned SQL that takes a long or strong lock, as kiki-migrate plan reported
 * it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LintFinding {
  @JsonPropertyDescription("Revision whose SQL holds the statement.")
  private String revision;

  @JsonPropertyDescription(
      "Rule id (e.g. index-not-concurrent); a revision waives it with "
          + "`# kiki-lint: disable=<rule> -- reason` in its file.")
  private String rule;

  @JsonPropertyDescription("The statement as Alembic's offline mode renders it (shortened).")
  private String statement;

  @JsonPropertyDescription("The safer way to reach the same schema.")
  private String saferForm;

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

  public String getStatement() {
    return statement;
  }

  public void setStatement(String statement) {
    this.statement = statement;
  }

  public String getSaferForm() {
    return saferForm;
  }

  public void setSaferForm(String saferForm) {
    this.saferForm = saferForm;
  }
}
