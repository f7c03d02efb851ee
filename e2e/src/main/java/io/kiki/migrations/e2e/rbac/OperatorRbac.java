package io.kiki.migrations.e2e.rbac;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What the install ({@code kubectl kustomize manifests/}) grants the operator's ServiceAccount, as a list of
 * (verb, group, resource) grants: a ClusterRoleBinding grants its ClusterRole's rules in every namespace, a
 * RoleBinding its Role's rules in its own namespace. {@code OperatorNeedsOnlyItsClusterRoleE2E} compares it with
 * what the operator used. Authorizing requests is the real API server's job ({@code local} cluster).
 */
public final class OperatorRbac {

  /** One verb on one resource, at cluster scope and in every namespace (namespace null) or in one namespace. */
  public record Grant(String namespace, VerbOnResource verbOnResource, List<String> resourceNames, String grantedBy) {
  }

  private final String serviceAccount;
  private final List<Grant> grants;

  private OperatorRbac(String serviceAccount, List<Grant> grants) {
    this.serviceAccount = serviceAccount;
    this.grants = List.copyOf(grants);
  }

  /** Builds {@code kustomization} (e.g. {@code manifests/}) with {@code kubectl kustomize}; the operator's ServiceAccount from its Deployment. */
  public static OperatorRbac fromKustomization(Path kustomization) {
    List<HasMetadata> objects = parseAll(kustomize(kustomization), kustomization);
    Deployment deployment = objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
        .filter(d -> d.getMetadata().getName().equals("kiki-migrations-operator")).findFirst()
        .orElseThrow(() -> new IllegalStateException(kustomization + " has no Deployment kiki-migrations-operator"));
    String namespace = deployment.getMetadata().getNamespace();
    String name = Optional.ofNullable(deployment.getSpec().getTemplate().getSpec().getServiceAccountName()).orElse("default");
    List<Grant> grants = new ArrayList<>();
    for (HasMetadata object : objects) {
      if (object instanceof ClusterRoleBinding binding && binds(binding.getSubjects(), namespace, name)) {
        addRules(grants, objects, binding.getRoleRef(), null, "ClusterRoleBinding/" + binding.getMetadata().getName());
      } else if (object instanceof RoleBinding binding && binds(binding.getSubjects(), namespace, name)) {
        addRules(grants, objects, binding.getRoleRef(), binding.getMetadata().getNamespace(),
            "RoleBinding/" + binding.getMetadata().getNamespace() + "/" + binding.getMetadata().getName());
      }
    }
    if (grants.isEmpty()) {
      throw new IllegalStateException(kustomization + " grants ServiceAccount " + namespace + "/" + name + " nothing");
    }
    return new OperatorRbac(namespace + "/" + name, grants);
  }

  public String serviceAccount() {
    return serviceAccount;
  }

  public List<Grant> grants() {
    return grants;
  }

  private static boolean binds(List<Subject> subjects, String namespace, String name) {
    return subjects != null && subjects.stream().anyMatch(s -> "ServiceAccount".equals(s.getKind())
        && name.equals(s.getName()) && namespace.equals(s.getNamespace()));
  }

  private static void addRules(List<Grant> grants, List<HasMetadata> objects, RoleRef ref, String namespace, String grantedBy) {
    List<PolicyRule> rules = objects.stream()
        .filter(o -> ref.getKind().equals(o.getKind()) && ref.getName().equals(o.getMetadata().getName())
            && (o instanceof ClusterRole || namespace != null && namespace.equals(o.getMetadata().getNamespace())))
        .findFirst()
        .map(o -> o instanceof ClusterRole clusterRole ? clusterRole.getRules() : ((Role) o).getRules())
        .orElseThrow(() -> new IllegalStateException(grantedBy + " refers to " + ref.getKind() + " " + ref.getName()
            + ", which the install does not contain"));
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            grants.add(new Grant(namespace, new VerbOnResource(verb, group, resource),
                rule.getResourceNames() == null ? List.of() : List.copyOf(rule.getResourceNames()),
                grantedBy + " -> " + ref.getKind() + "/" + ref.getName()));
          }
        }
      }
    }
  }

  /** kubectl: $KUBECTL, else the first kubectl on PATH, else null. */
  public static String kubectl() {
    String configured = System.getenv("KUBECTL");
    if (configured != null && !configured.isBlank()) {
      return Files.isExecutable(Path.of(configured)) ? configured : null;
    }
    for (String directory : System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin").split(File.pathSeparator)) {
      Path candidate = Path.of(directory, "kubectl");
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return null;
  }

  private static String kustomize(Path kustomization) {
    String kubectl = kubectl();
    if (kubectl == null) {
      throw new IllegalStateException("kubectl (1.27+, with kustomize v5) is needed to build " + kustomization
          + " for the operator's RBAC: install it or set KUBECTL");
    }
    try {
      Path stderr = Files.createTempFile("kustomize", ".err");
      try {
        Process process = new ProcessBuilder(kubectl, "kustomize", kustomization.toString()).redirectError(stderr.toFile()).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new IllegalStateException("kubectl kustomize " + kustomization + " did not finish within 120 s");
        }
        if (process.exitValue() != 0) {
          throw new IllegalStateException("kubectl kustomize " + kustomization + " failed:\n" + Files.readString(stderr));
        }
        return output;
      } finally {
        Files.deleteIfExists(stderr);
      }
    } catch (IOException e) {
      throw new IllegalStateException("could not run kubectl kustomize " + kustomization, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while building " + kustomization, e);
    }
  }

  private static List<HasMetadata> parseAll(String yaml, Path source) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : yaml.split("(?m)^---\\s*$")) {
      if (document.lines().allMatch(line -> line.isBlank() || line.stripLeading().startsWith("#"))) {
        continue;
      }
      if (Serialization.unmarshal(document, KubernetesResource.class) instanceof HasMetadata object) {
        objects.add(object);
      } else {
        throw new IllegalStateException("an object of " + source + " is not a Kubernetes object:\n" + document);
      }
    }
    return objects;
  }
}
