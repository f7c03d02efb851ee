package io.kiki.migrations.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupRecord {
  @JsonPropertyDescription("File name on the backup volume (mounted at /backups).")
  private String file;

  @JsonPropertyDescription("Size of the backup file.")
  private Long sizeBytes;

  @JsonPropertyDescription("SHA-256 of the backup file.")
  private String sha256;

  @JsonPropertyDescription("Revision of the database when the backup was taken.")
  private String revision;

  @JsonPropertyDescription("When the backup finished.")
  private String takenAt;

  @JsonPropertyDescription(
      "pg_dump ended without error, pg_restore --list read the archive's table of contents back "
          + "from the file, and the role in the URL can recreate what a restore drops (not a trial restore of the data).")
  private Boolean verified;

  @JsonPropertyDescription(
      "The backup was restored in full into a scratch database by a rehearsal (spec.rehearsal), whether the "
          + "planned migration then passed on it or not: proven restorable, more than verified.")
  private Boolean restoredInRehearsal;

  public Boolean getRestoredInRehearsal() {
    return restoredInRehearsal;
  }

  public void setRestoredInRehearsal(Boolean restoredInRehearsal) {
    this.restoredInRehearsal = restoredInRehearsal;
  }

  public String getFile() {
    return file;
  }

  public void setFile(String file) {
    this.file = file;
  }

  public Long getSizeBytes() {
    return sizeBytes;
  }

  public void setSizeBytes(Long sizeBytes) {
    this.sizeBytes = sizeBytes;
  }

  public String getSha256() {
    return sha256;
  }

  public void setSha256(String sha256) {
    this.sha256 = sha256;
  }

  public String getRevision() {
    return revision;
  }

  public void setRevision(String revision) {
    this.revision = revision;
  }

  public String getTakenAt() {
    return takenAt;
  }

  public void setTakenAt(String takenAt) {
    this.takenAt = takenAt;
  }

  public Boolean getVerified() {
    return verified;
  }

  public void setVerified(Boolean verified) {
    this.verified = verified;
  }
}
