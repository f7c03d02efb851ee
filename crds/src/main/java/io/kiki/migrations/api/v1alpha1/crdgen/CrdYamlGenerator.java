package io.kiki.migrations.api.v1alpha1.crdgen;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerationInfo;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.kiki.migrations.api.v1alpha1.DatabaseMigration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Build-time tool (run by exec-maven-plugin in process-classes, not shipped in the jar): generates
 * the CRD YAML from the annotated API classes with Fabric8's crd-generator-api-v2, the same
 * generator as crd-generator-maven-plugin, but keeps the printer columns in the order the {@link
 * AdditionalPrinterColumn} annotations are declared (the generator sorts them by JSON path), so
 * `kubectl get dbm` shows NAME TARGET CURRENT PHASE READY AGE.
 *
 * <p>Usage: {@code CrdYamlGenerator OUTPUT_DIR} (writes {@code <crd name>-v1.yml} there).
 */
public final class CrdYamlGenerator {
  /** The custom resources of this module. */
  static final List<Class<? extends HasMetadata>> RESOURCES = List.of(DatabaseMigration.class);

  private CrdYamlGenerator() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: CrdYamlGenerator OUTPUT_DIR");
    }
    Path outputDir = Files.createDirectories(Path.of(args[0]));
    CRDGenerationInfo info =
        new CRDGenerator()
            .customResourceClasses(RESOURCES)
            .forCRDVersions("v1")
            .withParallelGenerationEnabled(false)
            .withPostProcessor(new DeclarationOrderPrinterColumns())
            .inOutputDir(outputDir.toFile())
            .detailedGenerate();
    info.getCRDDetailsPerNameAndVersion()
        .forEach(
            (name, versions) ->
                versions.forEach(
                    (version, crd) ->
                        System.out.println(
                            "Generated CRD " + name + " " + version + ": " + crd.getFilePath())));
    if (info.numberOfGeneratedCRDs() != RESOURCES.size()) {
      throw new IllegalStateException(
          "expected " + RESOURCES.size() + " CRDs, generated " + info.numberOfGeneratedCRDs());
    }
  }

  /**
   * Reorders each version's printer columns to the declaration order of the resource's annotations.
   */
  static final class DeclarationOrderPrinterColumns implements CRDPostProcessor {
    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
      if (!(crd instanceof CustomResourceDefinition definition)) {
        throw new IllegalStateException(
            "unexpected CRD type " + crd.getClass() + " for apiextensions " + crdSpecVersion);
      }
      for (CustomResourceDefinitionVersion version : definition.getSpec().getVersions()) {
        Class<? extends HasMetadata> resource =
            resourceFor(definition.getMetadata().getName(), version.getName());
        version.setAdditionalPrinterColumns(
            inDeclarationOrder(resource, version.getAdditionalPrinterColumns()));
      }
      return crd;
    }

    private static Class<? extends HasMetadata> resourceFor(String crdName, String version) {
      return RESOURCES.stream()
          .filter(
              r ->
                  HasMetadata.getFullResourceName(r).equals(crdName)
                      && HasMetadata.getVersion(r).equals(version))
          .findFirst()
          .orElseThrow(
              () -> new IllegalStateException("no resource class for " + crdName + " " + version));
    }

    /**
     * Columns declared with {@link AdditionalPrinterColumn} on the class come first, in declaration
     * order ({@code getAnnotationsByType} keeps it); any others (e.g. from field annotations) keep
     * their order after them.
     */
    static List<CustomResourceColumnDefinition> inDeclarationOrder(
        Class<?> resource, List<CustomResourceColumnDefinition> generated) {
      List<String> declared =
          Arrays.stream(resource.getAnnotationsByType(AdditionalPrinterColumn.class))
              .map(AdditionalPrinterColumn::jsonPath)
              .toList();
      if (generated == null) {
        if (!declared.isEmpty()) {
          throw new IllegalStateException(
              resource.getName() + " declares printer columns but none were generated");
        }
        return null;
      }
      Map<String, CustomResourceColumnDefinition> byPath =
          generated.stream()
              .collect(
                  Collectors.toMap(
                      CustomResourceColumnDefinition::getJsonPath,
                      Function.identity(),
                      (a, b) -> {
                        throw new IllegalStateException(
                            "two printer columns with JSON path " + a.getJsonPath());
                      }));
      List<String> missing = declared.stream().filter(p -> !byPath.containsKey(p)).toList();
      if (!missing.isEmpty()) {
        throw new IllegalStateException(
            "printer columns " + missing + " of " + resource.getName() + " were not generated");
      }
      List<CustomResourceColumnDefinition> ordered = new ArrayList<>(generated);
      ordered.sort(
          Comparator.comparingInt(
              c -> {
                int index = declared.indexOf(c.getJsonPath());
                return index < 0 ? Integer.MAX_VALUE : index;
              }));
      return ordered;
    }
  }
}
