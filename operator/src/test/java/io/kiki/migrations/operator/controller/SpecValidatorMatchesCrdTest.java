package io.kiki.migrations.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Every pattern, enum, bound, required field and CEL rule of the CRD has a case here that a
 * validating API server refuses, and the operator (SpecValidator, after the tolerant decoding)
 * refuses it too, naming the field. A constraint added to the CRD without a case fails {@link
 * #everyCrdConstraintHasACase}: add the case, and the check in SpecValidator if the new case fails.
 */
class SpecValidatorMatchesCrdTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CRD =
      "/META-INF/fabric8/databasemigrations.migrations.kiki.io-v1.yml";

  /** Subtrees whose schema is Kubernetes' own (the API server validates them everywhere). */
  private static final Set<String> KUBERNETES_TYPES =
      Set.of(
          "spec.jobTemplate.resources",
          "spec.jobTemplate.tolerations",
          "spec.jobTemplate.imagePullSecrets");

  /** A violating change to a valid spec, and the field the operator's message must name. */
  private record Case(Consumer<ObjectNode> change, String field) {}

  private static final Map<String, Case> CASES = new LinkedHashMap<>();

  static {
    add("spec required database", s -> s.remove("database"), "spec.database");
    add("spec required image", s -> s.remove("image"), "spec.image");
    add(
        "spec rule targetRevision base removes the whole schema: it needs allowDowngrade: true",
        s -> s.put("targetRevision", "base"),
        "allowDowngrade");
    add(
        "spec rule rollback.onFailure Restore needs backup.enabled: true",
        s -> {
          s.with("rollback").put("onFailure", "Restore");
          s.with("backup").put("enabled", false);
        },
        "spec.rollback.onFailure");
    add("spec.image pattern ^\\S+$", s -> s.put("image", "kiki/migrations 2"), "spec.image");
    add(
        "spec.targetRevision pattern ^[A-Za-z0-9_-]{1,64}$",
        s -> s.put("targetRevision", "b2;drop"),
        "spec.targetRevision");
    add(
        "spec.retryToken maxLength 253",
        s -> s.put("retryToken", "r".repeat(254)),
        "spec.retryToken");
    add(
        "spec.database required urlSecretRef",
        s -> s.with("database").remove("urlSecretRef"),
        "spec.database.urlSecretRef");
    add(
        "spec.database.urlSecretRef required key",
        s -> ref(s).remove("key"),
        "spec.database.urlSecretRef");
    add(
        "spec.database.urlSecretRef required name",
        s -> ref(s).remove("name"),
        "spec.database.urlSecretRef");
    add(
        "spec.database.urlSecretRef.name pattern ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$",
        s -> ref(s).put("name", "Kiki_DB"),
        "spec.database.urlSecretRef.name");
    add(
        "spec.database.urlSecretRef.key pattern ^[-._a-zA-Z0-9]+$",
        s -> ref(s).put("key", "KIKI DATABASE/URL"),
        "spec.database.urlSecretRef.key");
    add(
        "spec rule rehearsal.enabled restores the rollout's backup: it needs backup.enabled: true",
        s -> {
          s.with("rehearsal").put("enabled", true);
          s.with("backup").put("enabled", false);
        },
        "spec.rehearsal.enabled");
    add(
        "spec.rehearsal.serverSecretRef required key",
        s -> serverRef(s).remove("key"),
        "spec.rehearsal.serverSecretRef.key");
    add(
        "spec.rehearsal.serverSecretRef required name",
        s -> serverRef(s).remove("name"),
        "spec.rehearsal.serverSecretRef.name");
    add(
        "spec.rehearsal.serverSecretRef.key pattern ^[-._a-zA-Z0-9]+$",
        s -> serverRef(s).put("key", "SCRATCH SERVER/URL"),
        "spec.rehearsal.serverSecretRef.key");
    add(
        "spec.rehearsal.serverSecretRef.name pattern ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$",
        s -> serverRef(s).put("name", "Scratch_Server"),
        "spec.rehearsal.serverSecretRef.name");
    add(
        "spec.backup rule backup.enabled needs backup.persistentVolumeClaim",
        s -> s.with("backup").remove("persistentVolumeClaim"),
        "spec.backup.persistentVolumeClaim");
    add("spec.backup.keep minimum 1", s -> s.with("backup").put("keep", 0), "spec.backup.keep");
    add(
        "spec.backup.persistentVolumeClaim pattern ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$",
        s -> s.with("backup").put("persistentVolumeClaim", "Backups!"),
        "spec.backup.persistentVolumeClaim");
    add(
        "spec.rollback.onFailure enum [Downgrade, DowngradeThenRestore, None, Restore]",
        s -> s.with("rollback").put("onFailure", "RestoreEverything"),
        "spec.rollback.onFailure");
    add("spec.lint enum [Block, Warn]", s -> s.put("lint", "Strict"), "spec.lint");
    add(
        "spec.approval enum [Automatic, Manual]",
        s -> s.put("approval", "Sometimes"),
        "spec.approval");
    add(
        "spec.driftPolicy enum [Reconcile, Report]",
        s -> s.put("driftPolicy", "Repair"),
        "spec.driftPolicy");
    add(
        "spec.driftCheckInterval pattern ^([0-9]+(ms|s|m|h))+$",
        s -> s.put("driftCheckInterval", "hourly"),
        "spec.driftCheckInterval");
    add(
        "spec rule driftCheckInterval must be between 10s and 24h (e.g. 5m): it is how often the operator reads"
            + " the database's revision",
        s -> s.put("driftCheckInterval", "5s"),
        "spec.driftCheckInterval '5s' must be between 10s and 24h");
    for (String stage : List.of("plan", "backup", "migrate", "rollback", "lock")) {
      add(
          "spec.timeouts." + stage + " pattern ^([0-9]+(ms|s|m|h))+$",
          s -> s.with("timeouts").put(stage, "30 minutes"),
          "spec.timeouts." + stage);
    }
    add(
        "spec.verify rule verify.checks names must be unique",
        s -> {
          ObjectNode second = checks(s).addObject();
          second.put("name", "readable");
          second.put("sql", "SELECT 2");
        },
        "is used twice");
    add(
        "spec.verify.timeout pattern ^([0-9]+(ms|s|m|h))+$",
        s -> s.with("verify").put("timeout", "5 min"),
        "spec.verify.timeout");
    add(
        "spec.verify.interval pattern ^([0-9]+(ms|s|m|h))+$",
        s -> s.with("verify").put("interval", "often"),
        "spec.verify.interval");
    add(
        "spec.verify.databaseOutageTimeout pattern ^([0-9]+(ms|s|m|h))+$",
        s -> s.with("verify").put("databaseOutageTimeout", "forever"),
        "spec.verify.databaseOutageTimeout");
    add(
        "spec.verify rule verify.interval must be longer than 0s (e.g. 10s): it is the time between two rounds of checks",
        s -> s.with("verify").put("interval", "0s"),
        "spec.verify.interval must be longer than 0s");
    add(
        "spec.verify rule verify.timeout must be longer than 0s (e.g. 5m)",
        s -> s.with("verify").put("timeout", "0s"),
        "spec.verify.timeout must be longer than 0s");
    add(
        "spec.verify rule verify.interval must not be longer than verify.timeout: no second round of checks could run "
            + "before the timeout",
        s -> s.with("verify").put("interval", "10m").put("timeout", "5m"),
        "spec.verify.interval must not be longer than spec.verify.timeout");
    add(
        "spec.verify.checks[].name maxLength 63",
        s -> check(s).put("name", "c".repeat(64)),
        "spec.verify.checks[0].name");
    add(
        "spec.verify.successThreshold minimum 1",
        s -> s.with("verify").put("successThreshold", 0),
        "spec.verify.successThreshold");
    add(
        "spec.verify.checks maxItems 20",
        s -> {
          for (int i = 0; i < 20; i++) {
            checks(s).addObject().put("name", "extra-" + i).put("sql", "SELECT 1");
          }
        },
        "spec.verify.checks");
    add(
        "spec.verify.checks[] required name",
        s -> check(s).remove("name"),
        "spec.verify.checks[0].name");
    add(
        "spec.verify.checks[] rule a check needs exactly one of sql, http, deployment",
        s -> check(s).with("deployment").put("name", "kiki-api"),
        "spec.verify.checks[0]");
    add(
        "spec.verify.checks[].name pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
        s -> check(s).put("name", "prüfung ✓"),
        "spec.verify.checks[0].name");
    add(
        "spec.verify.checks[].deployment required name",
        s -> {
          check(s).remove("sql");
          check(s).putObject("deployment");
        },
        "spec.verify.checks[0].deployment.name");
    add(
        "spec.verify.checks[].deployment.name pattern ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$",
        s -> {
          check(s).remove("sql");
          check(s).putObject("deployment").put("name", "Kiki API");
        },
        "spec.verify.checks[0].deployment.name");
    add(
        "spec.verify.checks[].http required url",
        s -> {
          check(s).remove("sql");
          check(s).putObject("http").put("expectStatus", 200);
        },
        "spec.verify.checks[0].http.url");
    add(
        "spec.verify.checks[].http.url pattern ^https?://\\S+$",
        s -> {
          check(s).remove("sql");
          check(s).putObject("http").put("url", "ftp://kiki-api/healthz");
        },
        "spec.verify.checks[0].http.url");
    add(
        "spec.verify.checks[].http.expectStatus minimum 100",
        s -> {
          check(s).remove("sql");
          check(s).putObject("http").put("url", "http://kiki-api/healthz").put("expectStatus", 99);
        },
        "spec.verify.checks[0].http.expectStatus");
    add(
        "spec.verify.checks[].http.expectStatus maximum 599",
        s -> {
          check(s).remove("sql");
          check(s).putObject("http").put("url", "http://kiki-api/healthz").put("expectStatus", 600);
        },
        "spec.verify.checks[0].http.expectStatus");
  }

  static {
    for (String limit : List.of("successfulJobsHistoryLimit", "failedJobsHistoryLimit")) {
      add("spec." + limit + " minimum 0", s -> s.put(limit, -1), "spec." + limit);
      add("spec." + limit + " maximum 10", s -> s.put(limit, 11), "spec." + limit);
    }
    add(
        "spec.maintenanceWindow required duration",
        s -> s.with("maintenanceWindow").remove("duration"),
        "spec.maintenanceWindow.duration");
    add(
        "spec.maintenanceWindow required schedule",
        s -> s.with("maintenanceWindow").remove("schedule"),
        "spec.maintenanceWindow.schedule");
    add(
        "spec.maintenanceWindow rule maintenanceWindow.duration must be longer than 0, e.g. 4h",
        s -> s.with("maintenanceWindow").put("duration", "0m"),
        "spec.maintenanceWindow.duration");
    add(
        "spec.maintenanceWindow.duration pattern ^([0-9]+(ms|s|m|h))+$",
        s -> s.with("maintenanceWindow").put("duration", "4 hours"),
        "spec.maintenanceWindow.duration");
    add(
        "spec.maintenanceWindow.schedule maxLength 100",
        s -> s.with("maintenanceWindow").put("schedule", "0 2 * * " + "6,".repeat(50) + "6"),
        "spec.maintenanceWindow.schedule");
    add(
        "spec.maintenanceWindow.schedule pattern ^\\S+( \\S+){4}$",
        s -> s.with("maintenanceWindow").put("schedule", "@weekly"),
        "spec.maintenanceWindow.schedule");
    add(
        "spec.maintenanceWindow.timeZone maxLength 64",
        s -> s.with("maintenanceWindow").put("timeZone", "Europe/" + "B".repeat(60)),
        "spec.maintenanceWindow.timeZone");
    add(
        "spec.maintenanceWindow.timeZone pattern ^[A-Za-z0-9_+\\-/]+$",
        s -> s.with("maintenanceWindow").put("timeZone", "Europe/Berlin time"),
        "spec.maintenanceWindow.timeZone");
  }

  private static void add(String constraint, Consumer<ObjectNode> change, String field) {
    CASES.put(constraint, new Case(change, field));
  }

  /** A valid spec.rehearsal.serverSecretRef, for a case to break. */
  private static ObjectNode serverRef(ObjectNode spec) {
    ObjectNode ref = spec.with("rehearsal").with("serverSecretRef");
    ref.put("name", "scratch-server");
    ref.put("key", "URL");
    return ref;
  }

  private static ObjectNode ref(ObjectNode spec) {
    return spec.with("database").with("urlSecretRef");
  }

  private static ArrayNode checks(ObjectNode spec) {
    return (ArrayNode) spec.with("verify").get("checks");
  }

  private static ObjectNode check(ObjectNode spec) {
    return (ObjectNode) checks(spec).get(0);
  }

  private static ObjectNode validSpec() throws Exception {
    return (ObjectNode)
        JSON.readTree(
            """
        {"image": "kiki/migrations:2", "targetRevision": "head", "allowDowngrade": false, "retryToken": "1",
         "database": {"urlSecretRef": {"name": "kiki-db", "key": "KIKI_DATABASE_URL"}},
         "backup": {"enabled": true, "persistentVolumeClaim": "kiki-backups", "keep": 5},
         "verify": {"timeout": "5m", "interval": "10s", "successThreshold": 2,
                    "checks": [{"name": "readable", "sql": "SELECT true"}]},
         "rollback": {"onFailure": "DowngradeThenRestore"},
         "timeouts": {"plan": "2m", "backup": "30m", "migrate": "30m", "rollback": "1h30m"},
         "maintenanceWindow": {"schedule": "0 2 * * 6", "duration": "4h", "timeZone": "Europe/Berlin"},
         "suspend": false, "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1}
        """);
  }

  private static List<String> validate(ObjectNode spec) {
    ObjectNode resource = JSON.createObjectNode();
    resource.put("apiVersion", "migrations.kiki.io/v1alpha1").put("kind", "DatabaseMigration");
    resource.putObject("metadata").put("name", "kiki-campaigns").put("namespace", "kiki");
    resource.set("spec", spec);
    return SpecValidator.validate(SERIALIZATION.convertValue(resource, DatabaseMigration.class));
  }

  @Test
  void theValidSpecPasses() throws Exception {
    assertThat(validate(validSpec())).isEmpty();
  }

  @Test
  void everyCrdConstraintHasACase() throws Exception {
    Set<String> constraints = new TreeSet<>();
    try (InputStream in = getClass().getResourceAsStream(CRD)) {
      CustomResourceDefinition crd = SERIALIZATION.unmarshal(in, CustomResourceDefinition.class);
      walk(
          "spec",
          crd.getSpec()
              .getVersions()
              .get(0)
              .getSchema()
              .getOpenAPIV3Schema()
              .getProperties()
              .get("spec"),
          constraints);
    }
    Set<String> withoutCase = new TreeSet<>(constraints);
    withoutCase.removeAll(CASES.keySet());
    Set<String> notInCrd = new TreeSet<>(CASES.keySet());
    notInCrd.removeAll(constraints);
    assertThat(withoutCase).as("CRD constraints without a case here").isEmpty();
    assertThat(notInCrd).as("cases for constraints the CRD does not have").isEmpty();
  }

  @Test
  void theOperatorRefusesWhatTheCrdRefusesNamingTheField() throws Exception {
    List<String> accepted = new java.util.ArrayList<>();
    for (Map.Entry<String, Case> entry : CASES.entrySet()) {
      ObjectNode spec = validSpec();
      entry.getValue().change().accept(spec);
      List<String> problems = validate(spec);
      if (problems.stream().noneMatch(problem -> problem.contains(entry.getValue().field()))) {
        accepted.add(entry.getKey() + " -> " + problems);
      }
    }
    assertThat(accepted)
        .as("CRD constraints the operator does not enforce (naming the field)")
        .isEmpty();
  }

  @Test
  void aPatternCaseReallyBreaksTheCrdPattern() throws Exception {
    // The cases are only worth something if the API server would refuse them too.
    assertThat("prüfung ✓").doesNotMatch("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
    assertThat("KIKI DATABASE/URL").doesNotMatch("^[-._a-zA-Z0-9]+$");
    assertThat("Kiki API").doesNotMatch("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$");
    assertThat("30 minutes").doesNotMatch("^([0-9]+(ms|s|m|h))+$");
  }

  private static void walk(String path, JSONSchemaProps props, Set<String> out) {
    if (props == null || KUBERNETES_TYPES.contains(path)) {
      return;
    }
    if (props.getPattern() != null) {
      out.add(path + " pattern " + props.getPattern());
    }
    if (props.getEnum() != null && !props.getEnum().isEmpty()) {
      out.add(path + " enum " + props.getEnum().stream().map(JsonNode::asText).toList());
    }
    if (props.getMinimum() != null) {
      out.add(path + " minimum " + props.getMinimum().intValue());
    }
    if (props.getMaximum() != null) {
      out.add(path + " maximum " + props.getMaximum().intValue());
    }
    if (props.getMaxLength() != null) {
      out.add(path + " maxLength " + props.getMaxLength());
    }
    if (props.getMaxItems() != null) {
      out.add(path + " maxItems " + props.getMaxItems());
    }
    if (props.getRequired() != null) {
      props.getRequired().forEach(field -> out.add(path + " required " + field));
    }
    if (props.getXKubernetesValidations() != null) {
      for (ValidationRule rule : props.getXKubernetesValidations()) {
        out.add(path + " rule " + rule.getMessage());
      }
    }
    if (props.getProperties() != null) {
      props.getProperties().forEach((name, child) -> walk(path + "." + name, child, out));
    }
    if (props.getItems() != null) {
      walk(path + "[]", props.getItems().getSchema(), out);
    }
  }
}
