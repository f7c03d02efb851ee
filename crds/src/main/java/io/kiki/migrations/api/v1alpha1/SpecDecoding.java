package io.kiki.migrations.api.v1alpha1;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.io.IOException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How a stored DatabaseMigration becomes a Java object without one bad object stopping the
 * operator. Fields this version does not know (a newer CRD keeps them) are ignored; a value the
 * spec classes cannot hold (an enum value this version does not know, a string where a number
 * belongs) leaves the spec out and records a problem naming the field and the allowed values, which
 * the operator reports as InvalidSpec for that resource alone. Strict decoding ({@link
 * #strictProblem}) is what {@code kubectl apply} against a validating API server reports.
 */
public final class SpecDecoding {
  private SpecDecoding() {}

  /** Deserializer of {@link DatabaseMigration}: never fails on the spec or the status. */
  public static final class TolerantDeserializer extends StdDeserializer<DatabaseMigration> {
    public TolerantDeserializer() {
      super(DatabaseMigration.class);
    }

    @Override
    public DatabaseMigration deserialize(JsonParser parser, DeserializationContext context)
        throws IOException {
      ObjectCodec codec = parser.getCodec();
      JsonNode node = codec.readTree(parser);
      ObjectMapper mapper = codec instanceof ObjectMapper m ? m : new ObjectMapper();
      DatabaseMigration resource = new DatabaseMigration();
      resource.setApiVersion(
          text(node, "apiVersion", DatabaseMigration.GROUP + "/" + DatabaseMigration.VERSION));
      resource.setKind(text(node, "kind", "DatabaseMigration"));
      if (node.hasNonNull("metadata")) {
        resource.setMetadata(mapper.treeToValue(node.get("metadata"), ObjectMeta.class));
      }
      JsonNode spec = node.get("spec");
      if (spec != null && !spec.isNull()) {
        try {
          resource.setSpec(lenient(mapper).treeToValue(spec, DatabaseMigrationSpec.class));
        } catch (JsonMappingException e) {
          resource.setSpec(null);
          resource.setSpecProblem(describe("spec", e));
        }
      } else {
        resource.setSpec(null);
      }
      JsonNode status = node.get("status");
      if (status != null && !status.isNull()) {
        try {
          resource.setStatus(lenient(mapper).treeToValue(status, DatabaseMigrationStatus.class));
        } catch (JsonMappingException e) {
          // A status this version cannot read (a newer operator wrote it): start from an empty one.
          resource.setStatus(null);
        }
      }
      return resource;
    }

    private static String text(JsonNode node, String field, String fallback) {
      return node.hasNonNull(field) ? node.get(field).asText() : fallback;
    }
  }

  private static com.fasterxml.jackson.databind.ObjectReader lenient(ObjectMapper mapper) {
    return mapper.reader().without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }

  /**
   * The first problem a validating API server would report about this spec (unknown fields
   * included), as {@code spec.rollback.onFailure: Unsupported value "X": supported values: ...};
   * null when there is none.
   */
  public static String strictProblem(ObjectMapper mapper, JsonNode spec) {
    if (spec == null || spec.isNull()) {
      return null;
    }
    if (!(spec instanceof ObjectNode)) {
      return "spec: must be an object";
    }
    try {
      mapper
          .reader()
          .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .treeToValue(spec, DatabaseMigrationSpec.class);
      return null;
    } catch (JsonMappingException e) {
      return describe("spec", e);
    } catch (IOException e) {
      return "spec: " + e.getMessage();
    }
  }

  /** The field a mapping problem is about and what it accepts. */
  static String describe(String root, JsonMappingException e) {
    StringBuilder field = new StringBuilder(root);
    for (JsonMappingException.Reference reference : e.getPath()) {
      if (reference.getFieldName() != null) {
        field.append('.').append(reference.getFieldName());
      } else if (reference.getIndex() >= 0) {
        field.append('[').append(reference.getIndex()).append(']');
      }
    }
    if (e instanceof UnrecognizedPropertyException) {
      return field + ": unknown field (this version of the operator does not have it)";
    }
    if (e instanceof InvalidFormatException invalid
        && invalid.getTargetType() != null
        && invalid.getTargetType().isEnum()) {
      String allowed =
          Arrays.stream(invalid.getTargetType().getEnumConstants())
              .map(String::valueOf)
              .collect(Collectors.joining(", "));
      return field
          + ": Unsupported value \""
          + invalid.getValue()
          + "\": supported values: "
          + allowed;
    }
    if (e instanceof InvalidFormatException invalid) {
      return field
          + ": invalid value \""
          + invalid.getValue()
          + "\": must be "
          + typeName(invalid.getTargetType());
    }
    if (e instanceof MismatchedInputException mismatched && mismatched.getTargetType() != null) {
      return field + ": must be " + typeName(mismatched.getTargetType());
    }
    return field + ": " + e.getOriginalMessage();
  }

  private static String typeName(Class<?> type) {
    if (type == null) {
      return "of another type";
    }
    if (Number.class.isAssignableFrom(type) || type == int.class || type == long.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (java.util.Collection.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (java.util.Map.class.isAssignableFrom(type)) {
      return "a map";
    }
    return "an object (" + type.getSimpleName() + ")";
  }
}
