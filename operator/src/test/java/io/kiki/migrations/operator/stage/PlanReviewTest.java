package io.kiki.migrations.operator.stage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.RollbackStrategy;
import io.kiki.migrations.api.v1alpha1.Rollout;
import io.kiki.migrations.api.v1alpha1.RolloutStage;
import io.kiki.migrations.operator.TestingResources;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlanReviewTest {
  private static final String DOCUMENT =
      """
      {"planHash":"abcdef0123456789","current":["a1"],"target":"c3","direction":"upgrade","stepCount":2,
       "irreversibleSteps":["c3"],"steps":[
        {"revision":"b2","message":"add index","reversible":true,"scriptSha256":"%s",
         "sql":"BEGIN;\\nCREATE INDEX ix ON t (c);\\nCOMMIT;"},
        {"revision":"c3","message":"backfill","reversible":false,"scriptSha256":"%s",
         "sql":null,"renderError":"op.get_bind() reads the database"}]}"""
          .replace("\n", "")
          .formatted("1".repeat(64), "2".repeat(64));

  private static Rollout rollout(RolloutContext context) {
    Rollout rollout = context.rollout();
    rollout.setPlanHash("abcdef0123456789");
    rollout.setTo("c3");
    rollout.setDirection("upgrade");
    rollout.setSteps(List.of("b2", "c3"));
    rollout.setIrreversibleSteps(List.of("c3"));
    return rollout;
  }

  @Test
  void theDocumentIsReadFromBetweenTheMarkersOfTheLog() {
    String log =
        "2026-11-24T05:00:00Z INFO  [kiki-migrate] planning\n"
            + PlanReview.BEGIN_MARKER
            + "\n"
            + DOCUMENT
            + "\n"
            + PlanReview.END_MARKER
            + "\n{\"ok\": true}\n";
    JsonNode document = PlanReview.document(log).orElseThrow();
    assertThat(document.path("planHash").asText()).isEqualTo("abcdef0123456789");
    assertThat(PlanReview.document(PlanReview.BEGIN_MARKER + "\n{\"planHash\":")).isEmpty();
    assertThat(PlanReview.document("no markers")).isEmpty();
  }

  @Test
  void thePlanShowsStepsSqlAndThatARestoreDiscardsLaterWrites() {
    DatabaseMigration resource = TestingResources.resource();
    RolloutContext context = TestingResources.context(resource, RolloutStage.Plan, "a1");
    Rollout rollout = rollout(context);
    String text =
        PlanReview.render(
            resource,
            rollout,
            PlanReview.document(
                    PlanReview.BEGIN_MARKER + "\n" + DOCUMENT + "\n" + PlanReview.END_MARKER)
                .orElseThrow(),
            null,
            true,
            RollbackStrategy.DowngradeThenRestore);
    assertThat(text)
        .contains("Plan abcdef0123456789 of DatabaseMigration kiki/kiki-campaigns")
        .contains("Direction: upgrade from a1 to c3")
        .contains("  c3  backfill   [irreversible]")
        .contains("Irreversible steps: c3")
        .contains("restore the backup taken before the migration")
        .contains("discards every write made to the database after the backup")
        .contains("CREATE INDEX ix ON t (c);")
        .contains("-- cannot be rendered offline (--sql): op.get_bind() reads the database");

    ConfigMap configMap = PlanReview.build(resource, rollout.getPlanHash(), text);
    assertThat(configMap.getMetadata().getName()).isEqualTo("kiki-campaigns-plan");
    assertThat(configMap.getMetadata().getOwnerReferences().get(0).getUid()).isEqualTo("uid-1");
    assertThat(configMap.getData()).containsEntry("planHash", "abcdef0123456789");
  }

  @Test
  void withoutTheDocumentThePlanSaysWhyTheSqlIsMissing() {
    DatabaseMigration resource = TestingResources.resource();
    RolloutContext context = TestingResources.context(resource, RolloutStage.Plan, "a1");
    Rollout rollout = rollout(context);
    rollout.setIrreversibleSteps(List.of());
    String text =
        PlanReview.render(
            resource,
            rollout,
            null,
            "the plan pod's log cannot be read (HTTP 404)",
            false,
            RollbackStrategy.DowngradeThenRestore);
    assertThat(text)
        .contains("  b2\n  c3\n")
        .contains("downgrade back to a1 with each step's downgrade()")
        .doesNotContain("restore the backup")
        .contains("SQL: not available: the plan pod's log cannot be read (HTTP 404)");
  }

  @Test
  void aPlanAboveTheConfigMapLimitIsCutAndSaysSo() {
    DatabaseMigration resource = TestingResources.resource();
    RolloutContext context = TestingResources.context(resource, RolloutStage.Plan, "a1");
    Rollout rollout = rollout(context);
    String huge = "x".repeat(PlanReview.MAX_PLAN_BYTES);
    String document = DOCUMENT.replace("CREATE INDEX ix ON t (c);", "SELECT 'é" + huge + "';");
    String text =
        PlanReview.render(
            resource,
            rollout,
            PlanReview.document(
                    PlanReview.BEGIN_MARKER + "\n" + document + "\n" + PlanReview.END_MARKER)
                .orElseThrow(),
            null,
            true,
            RollbackStrategy.None);
    assertThat(text.getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(PlanReview.MAX_PLAN_BYTES);
    assertThat(text)
        .contains("nothing is rolled back")
        .endsWith(
            "a ConfigMap holds at most 1 MiB, so the text stops at "
                + PlanReview.MAX_PLAN_BYTES
                + " bytes. Run `kiki-migrate plan` with the image for the rest.]\n");
  }
}
