package io.kiki.migrations.operator.database;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kiki.migrations.api.v1alpha1.SecretKeyRef;
import io.kiki.migrations.operator.status.Reasons;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Finds the database URL in the referenced Secret and turns it into a JDBC target, with errors that
 * say the fix.
 */
public class DatabaseResolver {
  private final KubernetesClient client;

  public DatabaseResolver(KubernetesClient client) {
    this.client = client;
  }

  public JdbcTarget resolve(String namespace, SecretKeyRef ref) throws DatabaseConfigException {
    Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
    if (secret == null) {
      throw new DatabaseConfigException(
          Reasons.SECRET_NOT_FOUND,
          "Secret "
              + namespace
              + "/"
              + ref.getName()
              + " (spec.database.urlSecretRef.name) does not exist: create it with key "
              + ref.getKey()
              + " holding the database URL (postgresql://user:password@host:5432/database), or fix the name.");
    }
    String value = null;
    if (secret.getData() != null && secret.getData().get(ref.getKey()) != null) {
      value =
          new String(
              Base64.getDecoder().decode(secret.getData().get(ref.getKey())),
              StandardCharsets.UTF_8);
    } else if (secret.getStringData() != null) {
      value = secret.getStringData().get(ref.getKey());
    }
    if (value == null) {
      throw new DatabaseConfigException(
          Reasons.SECRET_KEY_NOT_FOUND,
          "Secret "
              + namespace
              + "/"
              + ref.getName()
              + " has no key "
              + ref.getKey()
              + " (spec.database.urlSecretRef.key): add the key with the database URL, "
              + "or point urlSecretRef.key at the key that has it.");
    }
    try {
      return SqlAlchemyUrl.toJdbc(value);
    } catch (InvalidDatabaseUrlException e) {
      throw new DatabaseConfigException(
          Reasons.INVALID_DATABASE_URL,
          "Secret "
              + namespace
              + "/"
              + ref.getName()
              + " key "
              + ref.getKey()
              + ": "
              + io.kiki.migrations.operator.stage.Messages.clause(
                  Redaction.redact(e.getMessage(), value.strip()))
              + ". Fix the value in the Secret.");
    }
  }
}
