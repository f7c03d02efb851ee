package io.kiki.migrations.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks every install (base and overlays) must pass, each built with the real `kubectl kustomize`.
 */
class InstallKustomizationsTest {

  static Stream<String> installs() {
    return Installs.all();
  }

  @ParameterizedTest
  @MethodSource("installs")
  void containsTheNamespaceCrdServiceAccountDeploymentAndMetricsService(String kustomization) {
    Install install = Installs.build(kustomization);

    assertThat(install.find(Namespace.class, Install.OPERATOR_NAMESPACE))
        .as("Namespace")
        .isPresent();
    CustomResourceDefinition crd =
        install.get(CustomResourceDefinition.class, "databasemigrations.migrations.kiki.io");
    assertThat(crd.getSpec().getGroup()).isEqualTo("migrations.kiki.io");
    assertThat(crd.getSpec().getNames().getKind()).isEqualTo("DatabaseMigration");
    assertThat(crd.getSpec().getNames().getPlural()).isEqualTo("databasemigrations");
    assertThat(crd.getSpec().getNames().getShortNames()).contains("dbm");
    assertThat(crd.getSpec().getVersions())
        .anySatisfy(version -> assertThat(version.getName()).isEqualTo("v1alpha1"));
    assertThat(crd.getMetadata().getAnnotations())
        .as("GitOps tools must not prune the CRD (that deletes every DatabaseMigration)")
        .containsEntry("argocd.argoproj.io/sync-options", "Delete=false,Prune=false")
        .containsEntry("kustomize.toolkit.fluxcd.io/prune", "disabled");

    Deployment deployment = install.operatorDeployment();
    assertThat(deployment.getMetadata().getNamespace()).isEqualTo(Install.OPERATOR_NAMESPACE);
    String serviceAccount = deployment.getSpec().getTemplate().getSpec().getServiceAccountName();
    assertThat(install.get(ServiceAccount.class, serviceAccount).getMetadata().getNamespace())
        .isEqualTo(Install.OPERATOR_NAMESPACE);
  }

  @ParameterizedTest
  @MethodSource("installs")
  void namespacedObjectsNameTheirNamespace(String kustomization) {
    Install install = Installs.build(kustomization);
    Set<String> clusterScoped =
        Set.of("Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding");
    for (HasMetadata object : install.objects()) {
      if (clusterScoped.contains(object.getKind())) {
        assertThat(object.getMetadata().getNamespace())
            .as(object.getKind() + " " + object.getMetadata().getName())
            .isNull();
      } else {
        assertThat(object.getMetadata().getNamespace())
            .as(object.getKind() + " " + object.getMetadata().getName())
            .isNotBlank();
      }
    }
  }

  @ParameterizedTest
  @MethodSource("installs")
  void operatorPodRunsUnderTheRestrictedPodSecurityStandard(String kustomization) {
    Install install = Installs.build(kustomization);
    PodSpec pod = install.operatorDeployment().getSpec().getTemplate().getSpec();
    PodSecurityContext podSecurity = pod.getSecurityContext();
    assertThat(podSecurity).as("pod securityContext").isNotNull();
    assertThat(podSecurity.getRunAsNonRoot()).as("runAsNonRoot").isTrue();
    assertThat(podSecurity.getRunAsUser()).as("runAsUser (the image's uid)").isEqualTo(65532L);
    assertThat(podSecurity.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getVolumes()).allSatisfy(volume -> assertThat(volume.getHostPath()).isNull());

    List<Container> containers = new ArrayList<>(pod.getContainers());
    containers.addAll(pod.getInitContainers());
    for (Container container : containers) {
      SecurityContext security = container.getSecurityContext();
      assertThat(security).as(container.getName() + " securityContext").isNotNull();
      assertThat(security.getAllowPrivilegeEscalation()).as("allowPrivilegeEscalation").isFalse();
      assertThat(security.getReadOnlyRootFilesystem()).as("readOnlyRootFilesystem").isTrue();
      assertThat(security.getPrivileged()).as("privileged").isNotEqualTo(Boolean.TRUE);
      assertThat(security.getCapabilities().getDrop())
          .as("capabilities.drop")
          .containsExactly("ALL");
      assertThat(security.getCapabilities().getAdd()).as("capabilities.add").isNullOrEmpty();
      assertThat(security.getRunAsNonRoot()).as("runAsNonRoot").isNotEqualTo(Boolean.FALSE);
      assertThat((Object) security.getRunAsUser())
          .as("container runAsUser is not root")
          .isNotEqualTo(0L);
    }
  }

  @ParameterizedTest
  @MethodSource("installs")
  void operatorContainerHasProbesResourcesAndConfiguration(String kustomization) {
    Install install = Installs.build(kustomization);
    Container container = install.operatorContainer();

    assertThat(container.getImage()).as("image is pinned").contains(":").doesNotEndWith(":latest");
    assertHttpProbe(container, container.getLivenessProbe(), "/healthz");
    assertHttpProbe(container, container.getReadinessProbe(), "/readyz");
    assertHttpProbe(container, container.getStartupProbe(), "/healthz");

    for (Map<String, ?> quantities :
        List.of(container.getResources().getRequests(), container.getResources().getLimits())) {
      assertThat(quantities).as("resources").containsKeys("cpu", "memory");
    }

    assertThat(install.operatorEnv("KIKI_WATCH_NAMESPACES"))
        .as("KIKI_WATCH_NAMESPACES")
        .isNotNull();
    assertThat(install.operatorEnv("KIKI_LEADER_ELECTION"))
        .as("KIKI_LEADER_ELECTION")
        .isIn("true", "false");
    assertThat(install.operatorEnv("KIKI_LEADER_ELECTION_NAMESPACE"))
        .isEqualTo(Install.OPERATOR_NAMESPACE);
    assertThat(install.operatorEnv("KIKI_METRICS_PORT")).isEqualTo("8080");
    assertThat(containerPort(container, "http")).isEqualTo(8080);
  }

  @ParameterizedTest
  @MethodSource("installs")
  void metricsServiceSelectsTheOperatorPodsOnPort8080(String kustomization) {
    Install install = Installs.build(kustomization);
    Service service = install.get(Service.class, "kiki-migrations-operator-metrics");
    Map<String, String> podLabels =
        install.operatorDeployment().getSpec().getTemplate().getMetadata().getLabels();
    assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
    assertThat(service.getSpec().getSelector()).isNotEmpty();

    ServicePort metrics =
        service.getSpec().getPorts().stream()
            .filter(port -> "metrics".equals(port.getName()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("the metrics Service has no port named metrics"));
    assertThat(metrics.getPort()).isEqualTo(8080);
    assertThat(resolve(install.operatorContainer(), metrics.getTargetPort())).isEqualTo(8080);
  }

  @ParameterizedTest
  @MethodSource("installs")
  void rbacRulesUseNoWildcards(String kustomization) {
    Install install = Installs.build(kustomization);
    for (Rules rules : rules(install)) {
      for (PolicyRule rule : rules.rules()) {
        List<String> everything = new ArrayList<>();
        everything.addAll(rule.getApiGroups());
        everything.addAll(rule.getResources());
        everything.addAll(rule.getVerbs());
        everything.addAll(rule.getResourceNames());
        everything.addAll(rule.getNonResourceURLs());
        assertThat(everything)
            .as(rules.owner() + " rule " + rule)
            .noneMatch(value -> value.contains("*"));
      }
    }
  }

  @ParameterizedTest
  @MethodSource("installs")
  void secretsAreOnlyReadOneByOne(String kustomization) {
    Install install = Installs.build(kustomization);
    for (Rules rules : rules(install)) {
      for (PolicyRule rule : rules.rules()) {
        if (rule.getResources().stream().anyMatch(resource -> resource.startsWith("secrets"))) {
          assertThat(rule.getVerbs())
              .as(rules.owner() + ": secrets are get-only")
              .containsExactly("get");
          assertThat(rule.getResources())
              .as(rules.owner() + ": no other resource shares the secrets rule")
              .containsExactly("secrets");
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("installs")
  void operatorMayDoWhatItNeedsWhereItWorksAndNothingElse(String kustomization) {
    Install install = Installs.build(kustomization);
    Deployment deployment = install.operatorDeployment();
    ServiceAccountPermissions permissions =
        new ServiceAccountPermissions(
            install,
            deployment.getMetadata().getNamespace(),
            deployment.getSpec().getTemplate().getSpec().getServiceAccountName());
    List<String> watched = install.watchedNamespaces();
    String leaseNamespace = install.operatorEnv("KIKI_LEADER_ELECTION_NAMESPACE");

    Set<String> needed = new HashSet<>();
    for (OperatorRbacNeeds.Need need : OperatorRbacNeeds.IN_WATCHED_NAMESPACES) {
      for (String verb : need.verbs()) {
        needed.add(need.apiGroup() + "|" + need.resource() + "|" + verb);
        if (watched.isEmpty()) {
          assertThat(permissions.allowsClusterWide(need.apiGroup(), need.resource(), verb))
              .as("%s %s/%s in all namespaces", verb, need.apiGroup(), need.resource())
              .isTrue();
        }
        for (String namespace : watched) {
          assertThat(permissions.allows(namespace, need.apiGroup(), need.resource(), verb))
              .as("%s %s/%s in namespace %s", verb, need.apiGroup(), need.resource(), namespace)
              .isTrue();
        }
      }
    }
    Set<String> leaseNeeds = new HashSet<>();
    for (OperatorRbacNeeds.Need need : OperatorRbacNeeds.IN_LEADER_ELECTION_NAMESPACE) {
      for (String verb : need.verbs()) {
        leaseNeeds.add(need.apiGroup() + "|" + need.resource() + "|" + verb);
        assertThat(
                permissions.allows(
                    leaseNamespace, need.apiGroup(), need.resource(), verb, need.resourceName()))
            .as(
                "%s %s/%s in the leader election namespace %s",
                verb, need.apiGroup(), need.resource(), leaseNamespace)
            .isTrue();
      }
    }

    for (ServiceAccountPermissions.Grant grant : permissions.grants()) {
      String key = grant.apiGroup() + "|" + grant.resource() + "|" + grant.verb();
      if (leaseNeeds.contains(key)) {
        assertThat(grant.namespace())
            .as("leases only in the leader election namespace: " + grant)
            .isEqualTo(leaseNamespace);
      } else {
        assertThat(needed).as("granted but not used by the operator: " + grant).contains(key);
        if (!watched.isEmpty()) {
          assertThat(grant.namespace()).as("only in watched namespaces: " + grant).isIn(watched);
        }
      }
    }
  }

  record Rules(String owner, List<PolicyRule> rules) {}

  private static List<Rules> rules(Install install) {
    List<Rules> all = new ArrayList<>();
    install
        .all(ClusterRole.class)
        .forEach(
            role ->
                all.add(new Rules("ClusterRole " + role.getMetadata().getName(), role.getRules())));
    install
        .all(Role.class)
        .forEach(
            role ->
                all.add(
                    new Rules(
                        "Role "
                            + role.getMetadata().getNamespace()
                            + "/"
                            + role.getMetadata().getName(),
                        role.getRules())));
    assertThat(all).as("RBAC roles in the install").isNotEmpty();
    return all;
  }

  private static void assertHttpProbe(Container container, Probe probe, String path) {
    assertThat(probe).as("probe on " + path).isNotNull();
    HTTPGetAction get = probe.getHttpGet();
    assertThat(get).as("HTTP probe on " + path).isNotNull();
    assertThat(get.getPath()).isEqualTo(path);
    assertThat(resolve(container, get.getPort()))
        .as("port of the probe on " + path)
        .isEqualTo(8080);
  }

  private static int resolve(Container container, IntOrString port) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    return containerPort(container, port.getStrVal());
  }

  private static int containerPort(Container container, String name) {
    return container.getPorts().stream()
        .filter(port -> name.equals(port.getName()))
        .map(ContainerPort::getContainerPort)
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "container " + container.getName() + " has no port named " + name));
  }
}
