package io.kiki.migrations.e2e.sandbox;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import java.io.ByteArrayInputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies resources to the sandbox as {@code kubectl apply} would, and fills in what a pipeline's
 * manifests refer to but do not carry: a Secret a DatabaseMigration names (pointing at a fresh
 * throwaway database), its backup PVC, its namespace. {@code ${SANDBOX_DATABASE_URL}} in a file is
 * the URL of a fresh database.
 */
public final class SandboxApplier {

  public static final String DATABASE_URL_PLACEHOLDER = "${SANDBOX_DATABASE_URL}";
  private final KubernetesClient client;
  private final LocalPostgres postgres;
  private final ImageMappings images;
  private final PrintStream notes;
  private int databases;

  public SandboxApplier(
      KubernetesClient client, LocalPostgres postgres, ImageMappings images, PrintStream notes) {
    this.client = client;
    this.postgres = postgres;
    this.images = images;
    this.notes = notes;
  }

  /**
   * Reads one YAML document stream ({@code source} names it in errors), filling in {@code
   * ${SANDBOX_DATABASE_URL}}.
   */
  public List<HasMetadata> load(String source, String yaml) throws SQLException {
    String content =
        yaml.contains(DATABASE_URL_PLACEHOLDER)
            ? yaml.replace(DATABASE_URL_PLACEHOLDER, newDatabase().sqlalchemyUrl())
            : yaml;
    List<HasMetadata> resources =
        client.load(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8))).items();
    if (resources.isEmpty()) {
      throw new IllegalArgumentException(source + " contains no Kubernetes resources");
    }
    return resources;
  }

  /**
   * Applies resources in the order a careful {@code kubectl apply} would: everything else first,
   * then what the DatabaseMigrations need but nobody applied, then the DatabaseMigrations. Returns
   * those.
   */
  public List<DatabaseMigration> apply(List<HasMetadata> resources) throws SQLException {
    List<DatabaseMigration> migrations = new ArrayList<>();
    for (HasMetadata resource : resources) {
      boolean clusterScoped =
          "Namespace".equals(resource.getKind())
              || "CustomResourceDefinition".equals(resource.getKind());
      if (!clusterScoped) {
        if (resource.getMetadata().getNamespace() == null) {
          resource.getMetadata().setNamespace("default");
        }
        ensureNamespace(resource.getMetadata().getNamespace());
      }
      if ("DatabaseMigration".equals(resource.getKind())) {
        DatabaseMigration dbm =
            client.getKubernetesSerialization().convertValue(resource, DatabaseMigration.class);
        dbm.setStatus(null);
        migrations.add(dbm);
      } else {
        client.resource(resource).createOr(NonDeletingOperation::update);
      }
    }
    fillIn(migrations);
    List<DatabaseMigration> applied = new ArrayList<>();
    for (DatabaseMigration dbm : migrations) {
      applied.add(client.resource(dbm).createOr(NonDeletingOperation::update));
    }
    return applied;
  }

  /**
   * Creates the Secret and PVC the resources refer to but nobody applied; warns about unmapped
   * images.
   */
  private void fillIn(List<DatabaseMigration> migrations) throws SQLException {
    for (DatabaseMigration dbm : migrations) {
      String ns = dbm.getMetadata().getNamespace();
      var spec = dbm.getSpec();
      if (spec == null) {
        continue;
      }
      if (spec.getDatabase() != null && spec.getDatabase().getUrlSecretRef() != null) {
        String secret = spec.getDatabase().getUrlSecretRef().getName();
        String key =
            spec.getDatabase().getUrlSecretRef().getKey() == null
                ? "KIKI_DATABASE_URL"
                : spec.getDatabase().getUrlSecretRef().getKey();
        if (secret != null && client.secrets().inNamespace(ns).withName(secret).get() == null) {
          String url = newDatabase().sqlalchemyUrl();
          client
              .secrets()
              .inNamespace(ns)
              .resource(
                  new SecretBuilder()
                      .withNewMetadata()
                      .withName(secret)
                      .withNamespace(ns)
                      .endMetadata()
                      .addToStringData(key, url)
                      .build())
              .create();
          notes.println(
              "sandbox: created Secret "
                  + ns
                  + "/"
                  + secret
                  + " for "
                  + dbm.getMetadata().getName()
                  + " with a fresh throwaway database");
        }
      }
      if (spec.getBackup() != null
          && Boolean.TRUE.equals(spec.getBackup().getEnabled())
          && spec.getBackup().getPersistentVolumeClaim() != null) {
        String claim = spec.getBackup().getPersistentVolumeClaim();
        if (client.persistentVolumeClaims().inNamespace(ns).withName(claim).get() == null) {
          client
              .persistentVolumeClaims()
              .inNamespace(ns)
              .resource(
                  new PersistentVolumeClaimBuilder()
                      .withNewMetadata()
                      .withName(claim)
                      .withNamespace(ns)
                      .endMetadata()
                      .withNewSpec()
                      .withAccessModes("ReadWriteOnce")
                      .withNewResources()
                      .addToRequests("storage", new Quantity("1Gi"))
                      .endResources()
                      .endSpec()
                      .build())
              .create();
          notes.println(
              "sandbox: created PersistentVolumeClaim " + ns + "/" + claim + " for backups");
        }
      }
      if (spec.getImage() != null && images.resolve(spec.getImage()).isEmpty()) {
        notes.println(
            "sandbox: WARNING image "
                + spec.getImage()
                + " of "
                + ns
                + "/"
                + dbm.getMetadata().getName()
                + " maps to no directory; its Jobs cannot start. Pass --image "
                + spec.getImage()
                + "=DIR");
      }
    }
  }

  private PostgresUrl newDatabase() throws SQLException {
    databases++;
    return postgres.createDatabase("sandbox_" + databases);
  }

  private void ensureNamespace(String namespace) {
    if (client.namespaces().withName(namespace).get() == null) {
      client
          .namespaces()
          .resource(
              new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
          .create();
    }
  }
}
