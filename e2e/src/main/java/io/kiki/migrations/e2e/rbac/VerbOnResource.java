package io.kiki.migrations.e2e.rbac;

/**
 * A verb on a resource (or {@code resource/subresource}) of an API group, "" being the core group.
 */
public record VerbOnResource(String verb, String apiGroup, String resource)
    implements Comparable<VerbOnResource> {

  @Override
  public int compareTo(VerbOnResource other) {
    return toString().compareTo(other.toString());
  }

  @Override
  public String toString() {
    return verb + " " + (apiGroup.isEmpty() ? "core" : apiGroup) + "/" + resource;
  }
}
