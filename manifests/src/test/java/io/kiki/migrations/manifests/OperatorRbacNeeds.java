package io.kiki.migrations.manifests;

import java.util.List;
import java.util.Set;

/**
 * Every Kubernetes API call the operator makes, as RBAC: the install must grant exactly these (and
 * nothing more) in each namespace it watches, and the lease verbs in its leader election namespace.
 * The e2e scenarios check the same against the operator's real requests: the sandbox API server
 * answers 403 to anything the install does not grant, and OperatorNeedsOnlyItsClusterRoleE2E fails
 * when a granted permission goes unused.
 */
final class OperatorRbacNeeds {

  /** resourceName: the one object the operator uses, or null for any object of the resource. */
  record Need(String apiGroup, String resource, Set<String> verbs, String resourceName) {

    Need(String apiGroup, String resource, Set<String> verbs) {
      this(apiGroup, resource, verbs, null);
    }
  }

  /** The Lease of leader election (OperatorConfig.LEASE_NAME in the operator). */
  static final String LEASE_NAME = "kiki-migrations-operator";

  /** In every watched namespace (cluster-wide when all namespaces are watched). */
  static final List<Need> IN_WATCHED_NAMESPACES =
      List.of(
          new Need("migrations.kiki.io", "databasemigrations", Set.of("list", "watch")),
          new Need("migrations.kiki.io", "databasemigrations/status", Set.of("update")),
          // not requested by the operator itself: Jobs' ownerReferences have
          // blockOwnerDeletion=true, which the
          // OwnerReferencesPermissionEnforcement admission plugin authorizes as update on the
          // owner's finalizers
          new Need("migrations.kiki.io", "databasemigrations/finalizers", Set.of("update")),
          new Need("batch", "jobs", Set.of("get", "list", "watch", "create", "delete")),
          new Need("", "pods", Set.of("list")),
          new Need("", "pods/log", Set.of("get")),
          new Need("", "configmaps", Set.of("get", "create", "update")),
          new Need("", "secrets", Set.of("get")),
          new Need("", "events", Set.of("create")),
          new Need("apps", "deployments", Set.of("get")));

  /** In KIKI_LEADER_ELECTION_NAMESPACE only. */
  static final List<Need> IN_LEADER_ELECTION_NAMESPACE =
      List.of(
          new Need("coordination.k8s.io", "leases", Set.of("get", "create", "update"), LEASE_NAME));

  private OperatorRbacNeeds() {}
}
