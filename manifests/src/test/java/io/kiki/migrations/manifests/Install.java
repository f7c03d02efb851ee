package io.kiki.migrations.manifests;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Optional;

/** The objects one kustomization builds, with lookups by kind and name. */
public record Install(List<HasMetadata> objects) {

  static final String OPERATOR_NAMESPACE = "kiki-migrations-system";
  static final String OPERATOR_NAME = "kiki-migrations-operator";
  static final String OPERATOR_CONTAINER = "operator";

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  List<GenericKubernetesResource> all(String kind) {
    return all(GenericKubernetesResource.class).stream()
        .filter(object -> kind.equals(object.getKind()))
        .toList();
  }

  <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
    return all(type).stream()
        .filter(object -> name.equals(object.getMetadata().getName()))
        .findFirst();
  }

  <T extends HasMetadata> T get(Class<T> type, String name) {
    return find(type, name)
        .orElseThrow(
            () ->
                new AssertionError(
                    "no " + type.getSimpleName() + " named " + name + " in " + describe()));
  }

  public Deployment operatorDeployment() {
    return get(Deployment.class, OPERATOR_NAME);
  }

  Container operatorContainer() {
    return operatorDeployment().getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(container -> OPERATOR_CONTAINER.equals(container.getName()))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "the operator Deployment has no container named " + OPERATOR_CONTAINER));
  }

  /**
   * An env var of the operator container, resolving a fieldRef to metadata.namespace; null when
   * absent.
   */
  String operatorEnv(String name) {
    Deployment deployment = operatorDeployment();
    for (EnvVar variable : operatorContainer().getEnv()) {
      if (!name.equals(variable.getName())) {
        continue;
      }
      if (variable.getValueFrom() != null
          && variable.getValueFrom().getFieldRef() != null
          && "metadata.namespace".equals(variable.getValueFrom().getFieldRef().getFieldPath())) {
        return deployment.getMetadata().getNamespace();
      }
      return variable.getValue() == null ? "" : variable.getValue();
    }
    return null;
  }

  /** The namespaces the operator watches; empty = all. */
  List<String> watchedNamespaces() {
    String value = operatorEnv("KIKI_WATCH_NAMESPACES");
    if (value == null) {
      throw new AssertionError("the operator container does not set KIKI_WATCH_NAMESPACES");
    }
    return java.util.Arrays.stream(value.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  String describe() {
    return objects.stream()
        .map(object -> object.getKind() + "/" + object.getMetadata().getName())
        .toList()
        .toString();
  }
}
