package io.kiki.migrations.manifests;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** The install kustomizations, each built once per test run. */
public final class Installs {

  public static final String ROOT = ".";
  static final String BASE = "base";
  static final String NAMESPACE_SCOPED = "overlays/namespace-scoped";
  static final String HA = "overlays/ha";

  private static final Map<String, Install> BUILT = new ConcurrentHashMap<>();

  private Installs() {}

  /** `kubectl apply -k manifests/`, the base itself, and every overlay. */
  static Stream<String> all() {
    return Stream.of(ROOT, BASE, NAMESPACE_SCOPED, HA);
  }

  public static Install build(String kustomization) {
    return BUILT.computeIfAbsent(
        kustomization, path -> Kustomize.build(Paths.MANIFESTS.resolve(path).normalize()));
  }
}
