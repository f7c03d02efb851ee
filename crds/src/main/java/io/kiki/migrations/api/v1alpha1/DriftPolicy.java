package io.kiki.migrations.api.v1alpha1;

/**
 * What the operator does when a Ready resource's database is found at another revision than the one
 * its last rollout left it at, without a rollout having moved it: say so (Report), or start a
 * rollout back to the target through the same plan, gates and backup as a spec change (Reconcile).
 */
public enum DriftPolicy {
  Report,
  Reconcile
}
