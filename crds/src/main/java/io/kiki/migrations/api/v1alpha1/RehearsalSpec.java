package io.kiki.migrations.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class RehearsalSpec {
  @Default("false")
  @JsonPropertyDescription(
      "After the backup, restore it into a scratch database, run exactly the planned steps there (when every step "
          + "is reversible: back to the start and forward again) and the verify.checks of kind sql against the copy, "
          + "then drop the copy. A failure ends the rollout before the real database is touched: Failed, reason "
          + "RehearsalFailed. Needs backup.enabled, and CREATEDB for the URL's role (or serverSecretRef). Default: false.")
  private Boolean enabled = false;

  @JsonPropertyDescription(
      "A Secret key holding the SQLAlchemy URL of another PostgreSQL server for the scratch database (its database "
          + "name is replaced by the scratch database's; the role needs CREATEDB there). Unset: the database's own server.")
  private SecretKeyRef serverSecretRef;

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public SecretKeyRef getServerSecretRef() {
    return serverSecretRef;
  }

  public void setServerSecretRef(SecretKeyRef serverSecretRef) {
    this.serverSecretRef = serverSecretRef;
  }
}
