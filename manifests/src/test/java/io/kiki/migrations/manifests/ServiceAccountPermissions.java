package io.kiki.migrations.manifests;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What one ServiceAccount may do according to the RBAC objects of an install, evaluated as the API
 * server does for plain rules: a ClusterRoleBinding grants its ClusterRole everywhere, a
 * RoleBinding grants its Role or ClusterRole in the RoleBinding's namespace. The one RBAC evaluator
 * of the project: the e2e least-privilege scenario (OperatorNeedsOnlyItsClusterRoleE2E) compares
 * its grants with the requests the API server saw.
 */
public final class ServiceAccountPermissions {

  /** One verb on one resource, granted everywhere (namespace null) or in one namespace. */
  public record Grant(
      String namespace,
      String apiGroup,
      String resource,
      String verb,
      List<String> resourceNames,
      String grantedBy) {

    boolean clusterWide() {
      return namespace == null;
    }
  }

  private final List<Grant> grants = new ArrayList<>();

  public ServiceAccountPermissions(
      Install install, String serviceAccountNamespace, String serviceAccountName) {
    for (ClusterRoleBinding binding : install.all(ClusterRoleBinding.class)) {
      if (binds(binding.getSubjects(), serviceAccountNamespace, serviceAccountName)) {
        addRole(
            install,
            binding.getRoleRef(),
            null,
            null,
            "ClusterRoleBinding/" + binding.getMetadata().getName());
      }
    }
    for (RoleBinding binding : install.all(RoleBinding.class)) {
      if (binds(binding.getSubjects(), serviceAccountNamespace, serviceAccountName)) {
        String namespace = binding.getMetadata().getNamespace();
        addRole(
            install,
            binding.getRoleRef(),
            namespace,
            namespace,
            "RoleBinding/" + namespace + "/" + binding.getMetadata().getName());
      }
    }
  }

  public List<Grant> grants() {
    return List.copyOf(grants);
  }

  /**
   * True when the verb is allowed on every object of the resource in the namespace (no
   * resourceNames limit).
   */
  boolean allows(String namespace, String apiGroup, String resource, String verb) {
    return allows(namespace, apiGroup, resource, verb, null);
  }

  /**
   * True when the verb is allowed on the named object (any object when name is null) in the
   * namespace. As in the API server, a rule limited by resourceNames never allows create: the name
   * is not known when a create is authorized.
   */
  boolean allows(String namespace, String apiGroup, String resource, String verb, String name) {
    return grants.stream()
        .anyMatch(
            grant ->
                (grant.clusterWide() || grant.namespace().equals(namespace))
                    && grant.apiGroup().equals(apiGroup)
                    && grant.resource().equals(resource)
                    && grant.verb().equals(verb)
                    && (grant.resourceNames().isEmpty()
                        || name != null
                            && !verb.equals("create")
                            && grant.resourceNames().contains(name)));
  }

  boolean allowsClusterWide(String apiGroup, String resource, String verb) {
    return grants.stream()
        .anyMatch(
            grant ->
                grant.clusterWide()
                    && grant.apiGroup().equals(apiGroup)
                    && grant.resource().equals(resource)
                    && grant.verb().equals(verb)
                    && grant.resourceNames().isEmpty());
  }

  private static boolean binds(List<Subject> subjects, String namespace, String name) {
    return subjects != null
        && subjects.stream()
            .anyMatch(
                subject ->
                    "ServiceAccount".equals(subject.getKind())
                        && name.equals(subject.getName())
                        && namespace.equals(subject.getNamespace()));
  }

  private void addRole(
      Install install,
      RoleRef roleRef,
      String roleNamespace,
      String grantNamespace,
      String bindingName) {
    List<PolicyRule> rules;
    if ("ClusterRole".equals(roleRef.getKind())) {
      rules = install.get(ClusterRole.class, roleRef.getName()).getRules();
    } else if ("Role".equals(roleRef.getKind())) {
      rules =
          install.all(Role.class).stream()
              .filter(
                  role ->
                      role.getMetadata().getName().equals(roleRef.getName())
                          && Objects.equals(role.getMetadata().getNamespace(), roleNamespace))
              .findFirst()
              .orElseThrow(
                  () ->
                      new AssertionError(
                          bindingName
                              + " refers to Role "
                              + roleRef.getName()
                              + " in namespace "
                              + roleNamespace
                              + ", which the install does not contain"))
              .getRules();
    } else {
      throw new AssertionError(bindingName + " refers to a " + roleRef.getKind());
    }
    for (PolicyRule rule : rules) {
      for (String apiGroup : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            grants.add(
                new Grant(
                    grantNamespace,
                    apiGroup,
                    resource,
                    verb,
                    rule.getResourceNames() == null ? List.of() : rule.getResourceNames(),
                    bindingName));
          }
        }
      }
    }
  }
}
