package io.kiki.migrations.operator.controller;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationSpec;
import io.kiki.migrations.api.v1alpha1.DatabaseMigrationStatus;
import io.kiki.migrations.api.v1alpha1.HistoryEntry;
import io.kiki.migrations.api.v1alpha1.Phase;
import io.kiki.migrations.operator.job.Labels;
import io.kiki.migrations.operator.status.Reasons;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finished Jobs do not pile up: the Jobs of the last spec.successfulJobsHistoryLimit successful
 * (Ready) and spec.failedJobsHistoryLimit failed rollouts (status.history, newest first) stay with
 * their pods' logs; a rollout whose plan found nothing to do (Ready, UpToDate: only its plan Job
 * ran) does not count, and only the newest such rollout's plan Job stays; the operator deletes the
 * others. Only Jobs this very resource owns (controller ownerReference with its UID) are ever
 * deleted: a predecessor's of the same name never are, nor the Jobs of a rollout in flight or
 * holding. Backups (files on the volume) are not touched: their retention is spec.backup.keep.
 */
final class JobHistory {
  private static final Logger LOG = LoggerFactory.getLogger(JobHistory.class);

  private final KubernetesClient client;

  JobHistory(KubernetesClient client) {
    this.client = client;
  }

  /** Deletes the Jobs among {@code jobs} (the resource's, from the informer) it no longer keeps. */
  void prune(DatabaseMigration resource, Collection<Job> jobs) {
    for (Job job : toDelete(resource, jobs)) {
      LOG.info(
          "{}/{}: deleting Job {} of rollout {} (beyond the Jobs history limits)",
          resource.getMetadata().getNamespace(),
          resource.getMetadata().getName(),
          job.getMetadata().getName(),
          job.getMetadata().getLabels().get(Labels.ROLLOUT));
      client
          .batch()
          .v1()
          .jobs()
          .inNamespace(job.getMetadata().getNamespace())
          .withName(job.getMetadata().getName())
          .withPropagationPolicy(DeletionPropagation.BACKGROUND)
          .delete();
    }
  }

  /** The Jobs to delete: owned by {@code resource}, of a finished rollout beyond the limits. */
  static List<Job> toDelete(DatabaseMigration resource, Collection<Job> jobs) {
    DatabaseMigrationSpec spec = resource.getSpec();
    DatabaseMigrationStatus status = resource.getStatus();
    if (spec == null || status == null || status.getPhase() == null) {
      return List.of();
    }
    Set<String> kept = kept(spec, status);
    String uid = resource.getMetadata().getUid();
    return jobs.stream()
        .filter(job -> job.getMetadata().getDeletionTimestamp() == null)
        .filter(job -> ownedBy(job, uid))
        .filter(
            job ->
                job.getMetadata().getLabels() != null
                    && job.getMetadata().getLabels().get(Labels.ROLLOUT) != null)
        .filter(job -> !kept.contains(job.getMetadata().getLabels().get(Labels.ROLLOUT)))
        .toList();
  }

  /** Ids of the rollouts whose Jobs stay. */
  private static Set<String> kept(DatabaseMigrationSpec spec, DatabaseMigrationStatus status) {
    int limit = Optional.ofNullable(spec.getSuccessfulJobsHistoryLimit()).orElse(3);
    int successful = limit;
    boolean newestNoOp = true;
    int failed = Optional.ofNullable(spec.getFailedJobsHistoryLimit()).orElse(1);
    Set<String> kept = new HashSet<>();
    Set<String> seen = new HashSet<>();
    if (status.getRollout() != null
        && (!status.getPhase().isTerminal() || status.getRollout().getHeldBy() != null)) {
      kept.add(status.getRollout().getId());
    }
    List<HistoryEntry> history = status.getHistory() == null ? List.of() : status.getHistory();
    for (HistoryEntry entry : history) {
      if (entry.getId() == null || !seen.add(entry.getId())) {
        continue;
      }
      if (entry.getOutcome() == Phase.Ready && Reasons.UP_TO_DATE.equals(entry.getReason())) {
        // The plan found nothing to do (only its plan Job ran): not counted, so no-op rollouts
        // never push a real rollout's Jobs out; only the newest one's plan Job stays.
        if (newestNoOp && limit > 0) {
          kept.add(entry.getId());
        }
        newestNoOp = false;
      } else if (entry.getOutcome() == Phase.Ready) {
        if (successful-- > 0) {
          kept.add(entry.getId());
        }
      } else if (failed-- > 0) {
        kept.add(entry.getId());
      }
    }
    return kept;
  }

  private static boolean ownedBy(Job job, String uid) {
    return uid != null
        && job.getMetadata().getOwnerReferences() != null
        && job.getMetadata().getOwnerReferences().stream()
            .anyMatch(
                o -> Boolean.TRUE.equals(o.getController()) && Objects.equals(o.getUid(), uid));
  }
}
