package io.kiki.migrations.e2e.rbac;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request to the API server as RBAC sees it, derived from method and path the way the API
 * server's RequestInfoFactory does: {@code /api/v1/...} is the core group "", {@code
 * /apis/GROUP/VERSION/...} a named group; GET on an object is get, on a collection list, with
 * {@code ?watch=true} watch; POST create, PUT update, PATCH patch, DELETE on an object delete, on a
 * collection deletecollection. A list or watch with {@code fieldSelector=metadata.name=X} is for
 * the object X. Anything else ({@code /version}, discovery) is a non-resource request: resource
 * null, {@link #path()} the URL path.
 */
public record ApiRequest(
    String verb,
    String apiGroup,
    String resource,
    String subresource,
    String name,
    String namespace,
    String path) {

  public static ApiRequest parse(String method, String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    Map<String, String> query = query(q < 0 ? "" : pathAndQuery.substring(q + 1));
    List<String> parts = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
    String nonResourceVerb = method.toLowerCase(java.util.Locale.ROOT);
    int start;
    String group;
    if (parts.size() >= 3 && parts.get(0).equals("api")) {
      group = "";
      start = 2;
    } else if (parts.size() >= 4 && parts.get(0).equals("apis")) {
      group = parts.get(1);
      start = 3;
    } else {
      return new ApiRequest(nonResourceVerb, null, null, null, null, null, path);
    }
    List<String> rest = parts.subList(start, parts.size());
    boolean legacyWatch = !rest.isEmpty() && rest.get(0).equals("watch");
    if (legacyWatch) {
      rest = rest.subList(1, rest.size());
    }
    String namespace = null;
    if (rest.size() >= 3 && rest.get(0).equals("namespaces")) {
      namespace = rest.get(1);
      rest = rest.subList(2, rest.size());
    } else if (rest.size() == 2 && rest.get(0).equals("namespaces")) {
      namespace = rest.get(1); // the Namespace object itself: resource namespaces, name = namespace
    }
    if (rest.isEmpty()) {
      return new ApiRequest(nonResourceVerb, null, null, null, null, null, path);
    }
    String resource = rest.get(0);
    String name = rest.size() >= 2 ? rest.get(1) : null;
    String subresource = rest.size() >= 3 ? rest.get(2) : null;
    String verb =
        switch (method.toUpperCase(java.util.Locale.ROOT)) {
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> name == null ? "deletecollection" : "delete";
          case "GET", "HEAD" ->
              legacyWatch || isTrue(query.get("watch")) ? "watch" : name == null ? "list" : "get";
          default -> nonResourceVerb;
        };
    if ((verb.equals("list") || verb.equals("watch")) && name == null) {
      String fieldSelector = query.get("fieldSelector");
      if (fieldSelector != null
          && fieldSelector.startsWith("metadata.name=")
          && !fieldSelector.contains(",")) {
        name = fieldSelector.substring("metadata.name=".length());
      }
    }
    return new ApiRequest(verb, group, resource, subresource, name, namespace, path);
  }

  public boolean isResourceRequest() {
    return resource != null;
  }

  /** {@code resource} or {@code resource/subresource}, as RBAC rules name it. */
  public String rbacResource() {
    return subresource == null ? resource : resource + "/" + subresource;
  }

  /**
   * The (verb, group, resource/subresource) an RBAC rule has to grant, e.g. {@code patch
   * batch/jobs}.
   */
  public VerbOnResource verbOnResource() {
    return new VerbOnResource(verb, apiGroup, rbacResource());
  }

  @Override
  public String toString() {
    if (!isResourceRequest()) {
      return verb + " " + path;
    }
    return verb
        + " "
        + (apiGroup.isEmpty() ? "core" : apiGroup)
        + "/"
        + rbacResource()
        + (name == null ? "" : " " + name)
        + (namespace == null ? " (cluster scope)" : " in " + namespace)
        + " ["
        + path
        + "]";
  }

  private static boolean isTrue(String value) {
    return value != null && (value.equals("true") || value.equals("1"));
  }

  private static Map<String, String> query(String query) {
    Map<String, String> values = new HashMap<>();
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      values.put(key, value);
    }
    return values;
  }
}
