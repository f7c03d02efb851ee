package io.kiki.migrations.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class JobTemplateSpec {
  @JsonPropertyDescription("Service account of the Job pods (they need no API access).")
  private String serviceAccountName;

  @JsonPropertyDescription("Resources of the kiki-migrate container.")
  private ResourceRequirements resources;

  @JsonPropertyDescription("Node selector of the Job pods.")
  private Map<String, String> nodeSelector;

  @JsonPropertyDescription("Tolerations of the Job pods.")
  private List<Toleration> tolerations;

  @JsonPropertyDescription("Pull secrets for spec.image.")
  private List<LocalObjectReference> imagePullSecrets;

  @JsonPropertyDescription(
      "Extra labels on the Job pods (the operator's own labels win on conflict).")
  private Map<String, String> podLabels;

  @JsonPropertyDescription(
      "Extra annotations on the Job pods. The operator sets sidecar.istio.io/inject: \"false\" "
          + "(a sidecar would keep the pod running after kiki-migrate exited); set it here to override.")
  private Map<String, String> podAnnotations;

  public Map<String, String> getPodAnnotations() {
    return podAnnotations;
  }

  public void setPodAnnotations(Map<String, String> podAnnotations) {
    this.podAnnotations = podAnnotations;
  }

  public String getServiceAccountName() {
    return serviceAccountName;
  }

  public void setServiceAccountName(String serviceAccountName) {
    this.serviceAccountName = serviceAccountName;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  public Map<String, String> getNodeSelector() {
    return nodeSelector;
  }

  public void setNodeSelector(Map<String, String> nodeSelector) {
    this.nodeSelector = nodeSelector;
  }

  public List<Toleration> getTolerations() {
    return tolerations;
  }

  public void setTolerations(List<Toleration> tolerations) {
    this.tolerations = tolerations;
  }

  public List<LocalObjectReference> getImagePullSecrets() {
    return imagePullSecrets;
  }

  public void setImagePullSecrets(List<LocalObjectReference> imagePullSecrets) {
    this.imagePullSecrets = imagePullSecrets;
  }

  public Map<String, String> getPodLabels() {
    return podLabels;
  }

  public void setPodLabels(Map<String, String> podLabels) {
    this.podLabels = podLabels;
  }
}
