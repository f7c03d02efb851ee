package io.kiki.migrations.operator.stage;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.kiki.migrations.api.v1alpha1.Approval;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Who set the approve annotation, and when: the metadata.managedFields entry that owns {@code
 * f:metadata.f:annotations.f:migrations.kiki.io/approve} (its manager, e.g. {@code
 * kubectl-annotate} or {@code argocd-controller}, and its time). Without such an entry (an API
 * server that keeps no managedFields, or they were stripped) the approver is {@value #UNKNOWN} and
 * the time is when the operator saw the annotation.
 */
public record Approver(String manager, String time) {
  public static final String UNKNOWN = "unknown";

  private static final String FIELD = "f:" + Approval.ANNOTATION;

  public static Approver of(DatabaseMigration resource, Instant now) {
    List<ManagedFieldsEntry> entries = resource.getMetadata().getManagedFields();
    return (entries == null ? List.<ManagedFieldsEntry>of() : entries)
        .stream()
            .filter(Approver::ownsTheAnnotation)
            .max(Comparator.comparing(e -> Objects.toString(e.getTime(), "")))
            .map(
                e ->
                    new Approver(
                        e.getManager() == null || e.getManager().isEmpty()
                            ? UNKNOWN
                            : e.getManager(),
                        e.getTime() != null ? e.getTime() : seen(now)))
            .orElseGet(() -> new Approver(UNKNOWN, seen(now)));
  }

  private static String seen(Instant now) {
    return now.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static boolean ownsTheAnnotation(ManagedFieldsEntry entry) {
    if (entry.getFieldsV1() == null || entry.getFieldsV1().getAdditionalProperties() == null) {
      return false;
    }
    Object metadata = entry.getFieldsV1().getAdditionalProperties().get("f:metadata");
    if (!(metadata instanceof Map<?, ?> meta)) {
      return false;
    }
    Object annotations = meta.get("f:annotations");
    return annotations instanceof Map<?, ?> owned && owned.containsKey(FIELD);
  }
}
