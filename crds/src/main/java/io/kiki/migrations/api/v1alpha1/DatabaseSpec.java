package io.kiki.migrations.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class DatabaseSpec {
  @Required
  @JsonPropertyDescription(
      "Secret key (in the resource's namespace) holding the SQLAlchemy database URL, e.g. "
          + "postgresql://user:password@host:5432/db?sslmode=require. Jobs get it only through secretKeyRef.")
  private SecretKeyRef urlSecretRef;

  public SecretKeyRef getUrlSecretRef() {
    return urlSecretRef;
  }

  public void setUrlSecretRef(SecretKeyRef urlSecretRef) {
    this.urlSecretRef = urlSecretRef;
  }
}
