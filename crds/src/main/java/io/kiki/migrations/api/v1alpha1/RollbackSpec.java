package io.kiki.migrations.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class RollbackSpec {
  @Default("DowngradeThenRestore")
  @JsonPropertyDescription(
      "Downgrade: run the Alembic downgrade back to the revision before the rollout. Restore: restore "
          + "the backup taken before it (needs backup.enabled). DowngradeThenRestore: downgrade, and restore the backup if the "
          + "downgrade fails. None: leave the database as it is and report Failed. A rollout with irreversible steps "
          + "(downgrade() does nothing) always restores instead of downgrading. Default: DowngradeThenRestore.")
  private RollbackStrategy onFailure = RollbackStrategy.DowngradeThenRestore;

  public RollbackStrategy getOnFailure() {
    return onFailure;
  }

  public void setOnFailure(RollbackStrategy onFailure) {
    this.onFailure = onFailure;
  }
}
