package io.kiki.migrations.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.enabled) || !self.enabled || has(self.persistentVolumeClaim)",
    message = "backup.enabled needs backup.persistentVolumeClaim")
public class BackupSpec {
  @Default("false")
  @JsonPropertyDescription("Take a pg_dump backup before migrating. Default: false.")
  private Boolean enabled = false;

  @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
  @JsonPropertyDescription("PersistentVolumeClaim mounted at /backups in backup and restore Jobs.")
  private String persistentVolumeClaim;

  @Default("5")
  @Min(1)
  @JsonPropertyDescription(
      "How many backups of this resource to keep on the volume; older ones are deleted. Default: 5.")
  private Integer keep = 5;

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public String getPersistentVolumeClaim() {
    return persistentVolumeClaim;
  }

  public void setPersistentVolumeClaim(String persistentVolumeClaim) {
    this.persistentVolumeClaim = persistentVolumeClaim;
  }

  public Integer getKeep() {
    return keep;
  }

  public void setKeep(Integer keep) {
    this.keep = keep;
  }
}
