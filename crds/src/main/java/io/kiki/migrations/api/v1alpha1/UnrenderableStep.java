package io.kiki.migrations.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * A planned step Alembic's offline mode could not render (it reads the database) (or whose SQL did
 * not parse), so it was not linted.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class UnrenderableStep {
  @JsonPropertyDescription("The revision.")
  private String revision;

  @JsonPropertyDescription(
      "Why it could not be rendered (the error of its upgrade() or downgrade() in offline mode).")
  private String reason;

  public String getRevision() {
    return revision;
  }

  public void setRevision(String revision) {
    this.revision = revision;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }
}
