package dev.kopek.http;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonFormatValidator;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.OutputErrorType;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import io.vertx.json.schema.impl.Format;
import io.vertx.json.schema.impl.SchemaValidatorInternal;
import io.vertx.json.schema.impl.URL;
import io.vertx.json.schema.impl.Utils;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.vertx.openapi.impl.OpenAPIFormatValidator;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A schema of the contract compiled, once, into a tree of small checks that validate exactly as
 * vertx-json-schema's own validator does: the same instances are accepted, and the others get the
 * same output (the same errors in the same order, with the same messages, error types and instance
 * and keyword locations), from which {@link ContractValidator} and {@link Problems} make the same
 * 400 replies.
 *
 * <p>Why not vertx-json-schema's validator: it validates with a single method of over 9,000 bytes
 * of bytecode ({@code SchemaValidatorImpl.validate}), and HotSpot compiles no method over 8,000
 * bytes ({@code -XX:+DontCompileHugeMethods}, the default), so every request was validated by the
 * interpreter unless Kopek was started with {@code -XX:-DontCompileHugeMethods}. It also looks up
 * every keyword and compiles every {@code pattern} again at each validation. Here each keyword is
 * read once, at start, into a check of its own; each check is a small method the JIT compiles; and
 * a valid instance costs no string building (locations are built for errors only).
 *
 * <p>Only the keywords Kopek's contract uses are compiled: {@code $ref}, {@code type}, {@code
 * const}, {@code enum}, {@code not}, {@code required}, {@code minProperties}, {@code
 * maxProperties}, {@code properties}, {@code additionalProperties}, {@code minItems}, {@code
 * maxItems}, {@code items} (one schema), {@code minimum}, {@code maximum}, {@code minLength},
 * {@code maxLength}, {@code pattern} and {@code format}; annotations ({@code description}, {@code
 * default}, {@code examples}...) are ignored, as vertx-json-schema ignores them. A schema with any
 * other keyword, or a recursive {@code $ref}, is refused when the routes are built ({@link
 * IllegalArgumentException} naming the keyword and where it is), so that a change of the contract
 * cannot leave a constraint silently unchecked: add the keyword here, mirroring {@code
 * SchemaValidatorImpl}, and cases for it to CompiledSchemaTest (which compares the two validators
 * on every request schema of the contract) first.
 */
final class CompiledSchema implements Validator {

  /** Keywords that constrain nothing, skipped by vertx-json-schema's validation too. */
  private static final Set<String> ANNOTATIONS =
      Set.of(
          "title",
          "description",
          "default",
          "examples",
          "example",
          "deprecated",
          "readOnly",
          "writeOnly",
          "$comment",
          "externalDocs",
          "xml");

  /** The keywords compiled here; any other is refused. */
  private static final Set<String> COMPILED =
      Set.of(
          "$ref",
          "type",
          "const",
          "enum",
          "not",
          "required",
          "minProperties",
          "maxProperties",
          "properties",
          "additionalProperties",
          "minItems",
          "maxItems",
          "items",
          "minimum",
          "maximum",
          "minLength",
          "maxLength",
          "pattern",
          "format");

  /** The format checks vertx-openapi gives its schema repository (int32, int64, float, double). */
  private static final JsonFormatValidator OPENAPI_FORMATS = new OpenAPIFormatValidator();

  private final Node root;

  private CompiledSchema(Node root) {
    this.root = root;
  }

  /**
   * {@code schema} of {@code contract} (a parameter's or a request body's), compiled.
   *
   * @throws IllegalArgumentException when the schema uses a keyword not compiled here, or the
   *     contract is not OpenAPI 3.1 (whose JSON Schema draft, 2020-12, is the one mirrored here)
   */
  static Validator compile(OpenAPIContract contract, JsonSchema schema) {
    if (contract.getVersion() != OpenAPIVersion.V3_1) {
      throw new IllegalArgumentException(
          "request schemas are compiled for OpenAPI 3.1 contracts (JSON Schema 2020-12); this "
              + "contract is "
              + contract.getVersion());
    }
    SchemaRepository repository = contract.getSchemaRepository();
    // The schema vertx-json-schema validates is the one its repository holds under the given
    // schema's URI (before the contract's references were inlined), not always the one given.
    Validator library = repository.validator(schema);
    if (!(library instanceof SchemaValidatorInternal internal)) {
      throw new IllegalStateException(
          "vertx-json-schema's validator is a "
              + library.getClass().getName()
              + "; CompiledSchema mirrors SchemaValidatorImpl");
    }
    JsonSchema root = internal.schema();
    String where =
        root instanceof JsonObject object
                && object.getValue("__absolute_uri__") instanceof String uri
            ? uri
            : "#";
    return new CompiledSchema(new Compiler(repository).node(root, "#", "#", where));
  }

  @Override
  public OutputUnit validate(Object instance) {
    if (root instanceof Always always) {
      return always.valid
          ? new OutputUnit(true)
          : new OutputUnit(false).setErrorType(OutputErrorType.INVALID_VALUE);
    }
    List<OutputUnit> errors = new ArrayList<>();
    root.check(instance, Location.ROOT, errors);
    return new OutputUnit(errors.isEmpty())
        .setErrors(errors.isEmpty() ? null : errors)
        .setAnnotations(null)
        .setErrorType(errors.isEmpty() ? OutputErrorType.NONE : errors.get(0).getErrorType());
  }

  // ---------------------------------------------------------------------------------------------
  // The tree of checks.

  /** A schema: a boolean one, or an object of keywords. */
  private abstract static class Node {

    /**
     * Appends the errors of {@code instance} (at {@code at}) to {@code errors}, as
     * vertx-json-schema's Basic output lists them.
     *
     * @return null when the instance is valid, else the error type of this schema's result
     */
    abstract OutputErrorType check(Object instance, Location at, List<OutputUnit> errors);
  }

  /** {@code true} or {@code false}: every instance is valid, or none is (without an error). */
  private static final class Always extends Node {

    final boolean valid;

    Always(boolean valid) {
      this.valid = valid;
    }

    @Override
    OutputErrorType check(Object instance, Location at, List<OutputUnit> errors) {
      return valid ? null : OutputErrorType.INVALID_VALUE;
    }
  }

  /** A keyword's check, for an instance of the JSON type the keyword applies to. */
  private interface Check {
    void check(Object value, JsonType type, Location at, List<OutputUnit> errors);
  }

  /**
   * A schema object: its checks in vertx-json-schema's order ({@code $ref}, {@code type}, {@code
   * const}, {@code enum}, {@code not}, then those of the instance's type, then the format), each
   * list empty when the schema has no keyword for it.
   */
  private static final class Keywords extends Node {

    final Check[] any;
    final Check[] object;
    final Check[] array;
    final Check[] number;
    final Check[] string;
    final Check format;

    Keywords(
        Check[] any, Check[] object, Check[] array, Check[] number, Check[] string, Check format) {
      this.any = any;
      this.object = object;
      this.array = array;
      this.number = number;
      this.string = string;
      this.format = format;
    }

    @Override
    OutputErrorType check(Object instance, Location at, List<OutputUnit> errors) {
      Object value = JsonType.jsonify(instance);
      JsonType type = JsonType.of(value);
      int mark = errors.size();
      run(any, value, type, at, errors);
      switch (type) {
        case OBJECT -> run(object, value, type, at, errors);
        case ARRAY -> run(array, value, type, at, errors);
        case NUMBER -> run(number, value, type, at, errors);
        case STRING -> run(string, value, type, at, errors);
        default -> {
          // null and booleans have no keywords of their own
        }
      }
      if (format != null) {
        format.check(value, type, at, errors);
      }
      return errors.size() == mark ? null : errors.get(mark).getErrorType();
    }

    private static void run(
        Check[] checks, Object value, JsonType type, Location at, List<OutputUnit> errors) {
      for (Check check : checks) {
        check.check(value, type, at, errors);
      }
    }
  }

  /** Where a keyword is: its keyword location, and its absolute one (null without a base URI). */
  private record Keyword(String absolute, String location) {

    OutputUnit error(Location at, String message, OutputErrorType type) {
      return new OutputUnit(at.toString(), absolute, location, message, type);
    }
  }

  /** {@code $ref}: the referenced schema's errors, after one of its own. */
  private record Ref(Node target, Keyword keyword) implements Check {
    @Override
    public void check(Object value, JsonType type, Location at, List<OutputUnit> errors) {
      int mark = errors.size();
      OutputErrorType invalid = target.check(value, at, errors);
      if (invalid != null) {
        errors.add(mark, keyword.error(at, "A subschema had errors", invalid));
      }
    }
  }

  /** {@code type}: one of the named JSON types ({@code integer}: a number without a fraction). */
  private record Type(String[] names, String expected, Keyword keyword) implements Check {
    @Override
    public void check(Object value, JsonType type, Location at, List<OutputUnit> errors) {
      for (String name : names) {
        if (type.name.equals(name)
            || ("integer".equals(name) && type == JsonType.NUMBER && JsonType.isInteger(value))) {
          return;
        }
      }
      errors.add(
          keyword.error(
              at,
              "Instance type " + type.name + " is invalid. Expected " + expected,
              OutputErrorType.INVALID_VALUE));
    }
  }

  /** {@code const}. */
  private record Const(Object constant, String message, Keyword keyword) implements Check {
    @Override
    public void check(Object value, JsonType type, Location at, List<OutputUnit> errors) {
      boolean equal =
          type == JsonType.OBJECT || type == JsonType.ARRAY
              ? JsonType.deepEquals(value, constant)
              : JsonType.equals(constant, value);
      if (!equal) {
        errors.add(keyword.error(at, message, OutputErrorType.INVALID_VALUE));
      }
    }
  }

  /** {@code enum}. */
  private record Allowed(Object[] values, String message, Keyword keyword) implements Check {
    @Override
    public void check(Object value, JsonType type, Location at, List<OutputUnit> errors) {
      boolean deep = type == JsonType.OBJECT || type == JsonType.ARRAY;
      for (Object allowed : values) {
        if (deep ? JsonType.deepEquals(value, allowed) : JsonType.equals(value, allowed)) {
          return;
        }
      }
      errors.add(keyword.error(at, message, OutputErrorType.INVALID_VALUE));
    }
  }

  /** {@code not}: valid when the schema is not; the schema's own errors are not reported. */
  private record Not(Node schema, Keyword keyword) implements Check {
    @Override
    public void check(Object value, JsonType type, Location at, List<OutputUnit> errors) {
      int mark = errors.size();
      OutputErrorType invalid = schema.check(value, at, errors);
      errors.subList(mark, errors.size()).clear();
      if (invalid == null) {
        // the error type of the matching schema's result, which is valid: none
        errors.add(keyword.error(at, "Instance matched \"not\" schema", OutputErrorType.NONE));
      }
    }
  }

  /** {@code required}. */
  private record Required(String[] names, String[] messages, Keyword keyword) implements Check {
    @Override
    public void check(Object value, JsonType type, Location at, List<OutputUnit> errors) {
      JsonObject object = (JsonObject) value;
      for (int i = 0; i < names.length; i++) {
        if (!object.containsKey(names[i])) {
          errors.add(keyword.error(at, messages[i], OutputErrorType.MISSING_VALUE));
        }
      }
    }
  }

  /** {@code minProperties} ({@code at least}) or {@code maxProperties} ({@code at most}). */
  private record PropertyCount(boolean atLeast, int limit, String message, Keyword keyword)
      implements Check {
    @Override
    public void check(Object value, JsonType type, Location at, List<OutputUnit> errors) {
      int size = ((JsonObject) value).size();
      if (atLeast ? size < limit : size > limit) {
        errors.add(
            keyword.error(
                at,
                message,
                atLeast ? OutputErrorType.MISSING_VALUE : OutputErrorType.INVALID_VALUE));
      }
    }
  }

  /**
   * {@code properties} and {@code additionalProperties}, which depend on each other: a property
   * {@code properties} names but whose value it refuses is checked against {@code
   * additionalProperties} too, as vertx-json-schema does.
   */
  private static final class Properties implements Check {

    final String[] names;
    final Node[] schemas;
    final String[] messages;
    final Map<String, Integer> index;
    final Keyword keyword;
    final Node additional;
    final Keyword additionalKeyword;

    Properties(
        String[] names,
        Node[] schemas,
        Keyword keyword,
        Node additional,
        Keyword additionalKeyword) {
      this.names = names;
      this.schemas = schemas;
      this.keyword = keyword;
      this.additional = additional;
      this.additionalKeyword = additionalKeyword;
      this.messages = new String[names.length];
      this.index = new HashMap<>();
      for (int i = 0; i < names.length; i++) {
        messages[i] = "Property \"" + names[i] + "\" does not match schema";
        index.put(names[i], i);
      }
    }

    @Override
    public void check(Object value, JsonType type, Location at, List<OutputUnit> errors) {
      JsonObject object = (JsonObject) value;
      boolean[] refused = null;
      for (int i = 0; i < names.length; i++) {
        String name = names[i];
        if (!object.containsKey(name)) {
          continue;
        }
        Location property = at.child(name);
        int mark = errors.size();
        OutputErrorType invalid = schemas[i].check(object.getValue(name), property, errors);
        if (invalid != null) {
          errors.add(mark, keyword.error(property, messages[i], invalid));
          if (refused == null) {
            refused = new boolean[names.length];
          }
          refused[i] = true;
        }
      }
      if (additional != null) {
        checkAdditional(object, refused, at, errors);
      }
    }

    private void checkAdditional(
        JsonObject object, boolean[] refused, Location at, List<OutputUnit> errors) {
      for (String name : object.fieldNames()) {
        Integer declared = index.get(name);
        if (declared != null && (refused == null || !refused[declared])) {
          continue;
        }
        Location property = at.child(name);
        int mark = errors.size();
        OutputErrorType invalid = additional.check(object.getValue(name), property, errors);
        if (invalid != null) {
          errors.add(
              mark,
              additionalKeyword.error(
                  property,
                  "Property \"" + name + "\" does not match additional properties schema",
                  invalid));
        }
      }
    }
  }

  /** {@code minItems} ({@code at least}) or {@code maxItems} ({@code at most}). */
  private record ItemCount(boolean atLeast, int limit, Keyword keyword) implements Check {
    @Override
    public void check(Object value, JsonType type, Location at, List<OutputUnit> errors) {
      int size = ((JsonArray) value).size();
      if (atLeast && size < limit) {
        errors.add(
            keyword.error(
                at,
                "Array has too few items ( + " + size + " < " + limit + ")",
                OutputErrorType.MISSING_VALUE));
      } else if (!atLeast && size > limit) {
        errors.add(
            keyword.error(
                at,
                "Array has too many items ( + " + size + " > " + limit + ")",
                OutputErrorType.INVALID_VALUE));
      }
    }
  }

  /** {@code items}: one schema for every item. */
  private record Items(Node schema, Keyword keyword) implements Check {
    @Override
    public void check(Object value, JsonType type, Location at, List<OutputUnit> errors) {
      JsonArray array = (JsonArray) value;
      for (int i = 0, n = array.size(); i < n; i++) {
        int mark = errors.size();
        OutputErrorType invalid = schema.check(array.getValue(i), at.child(i), errors);
        if (invalid != null) {
          errors.add(mark, keyword.error(at, "Items did not match schema", invalid));
        }
      }
    }
  }

  /** {@code minimum} ({@code below}: an instance below it is refused) or {@code maximum}. */
  private record Bound(boolean below, Number limit, Keyword keyword) implements Check {
    @Override
    public void check(Object value, JsonType type, Location at, List<OutputUnit> errors) {
      Number number = (Number) value;
      if (below ? JsonType.less(number, limit) : JsonType.greater(number, limit)) {
        errors.add(
            keyword.error(
                at,
                number + (below ? " is less than " : " is greater than ") + limit,
                OutputErrorType.INVALID_VALUE));
      }
    }
  }

  /**
   * {@code minLength} and {@code maxLength}, in UTF-16 code units but for a surrogate pair, which
   * counts once.
   */
  private record Length(Number min, Number max, Keyword minKeyword, Keyword maxKeyword)
      implements Check {
    @Override
    public void check(Object value, JsonType type, Location at, List<OutputUnit> errors) {
      int length = JsonType.length((String) value);
      if (min != null && JsonType.less(length, min)) {
        errors.add(
            minKeyword.error(
                at,
                "String is too short (" + length + " < " + min + ")",
                OutputErrorType.INVALID_VALUE));
      }
      if (max != null && JsonType.greater(length, max)) {
        errors.add(
            maxKeyword.error(
                at,
                "String is too long (" + length + " > " + max + ")",
                OutputErrorType.INVALID_VALUE));
      }
    }
  }

  /** {@code pattern}: found anywhere in the string, as {@link java.util.regex.Matcher#find}. */
  private record Matches(Pattern pattern, Keyword keyword) implements Check {
    @Override
    public void check(Object value, JsonType type, Location at, List<OutputUnit> errors) {
      if (!pattern.matcher((String) value).find()) {
        errors.add(
            keyword.error(at, "String does not match pattern", OutputErrorType.INVALID_VALUE));
      }
    }
  }

  /** {@code format}, of a string, by vertx-json-schema's own format checks. */
  private record StringFormat(String format, String message, Keyword keyword) implements Check {
    @Override
    public void check(Object value, JsonType type, Location at, List<OutputUnit> errors) {
      if (!Format.fastFormat(format, (String) value)) {
        errors.add(keyword.error(at, message, OutputErrorType.INVALID_VALUE));
      }
    }
  }

  /**
   * {@code format}, of any instance, by vertx-openapi's format checks (which refuse, for example, a
   * null or a fraction where the format is {@code int64}).
   */
  private record OpenApiFormat(String format, Keyword keyword) implements Check {
    @Override
    public void check(Object value, JsonType type, Location at, List<OutputUnit> errors) {
      String error = OPENAPI_FORMATS.validateFormat(type.name, format, value);
      if (error != null) {
        errors.add(keyword.error(at, error, OutputErrorType.INVALID_VALUE));
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Instances.

  /** Where an instance is, as a JSON pointer fragment ({@code #/a/0}); built for errors only. */
  private static final class Location {

    static final Location ROOT = new Location(null, null, 0);

    private final Location parent;
    private final String name;
    private final int index;
    private String pointer;

    private Location(Location parent, String name, int index) {
      this.parent = parent;
      this.name = name;
      this.index = index;
      this.pointer = parent == null ? "#" : null;
    }

    Location child(String name) {
      return new Location(this, name, 0);
    }

    Location child(int index) {
      return new Location(this, null, index);
    }

    @Override
    public String toString() {
      if (pointer == null) {
        pointer =
            parent + "/" + (name != null ? Utils.Pointers.encode(name) : Integer.toString(index));
      }
      return pointer;
    }
  }

  /** The JSON types, and the comparisons of values vertx-json-schema makes. */
  private enum JsonType {
    NULL("null"),
    BOOLEAN("boolean"),
    NUMBER("number"),
    STRING("string"),
    OBJECT("object"),
    ARRAY("array");

    final String name;

    JsonType(String name) {
      this.name = name;
    }

    /** A map as a {@link JsonObject}, a list as a {@link JsonArray}; anything else as it is. */
    @SuppressWarnings("unchecked")
    static Object jsonify(Object value) {
      if (value instanceof Map<?, ?> map) {
        return new JsonObject((Map<String, Object>) map);
      }
      if (value instanceof List<?> list) {
        return new JsonArray(list);
      }
      return value;
    }

    static JsonType of(Object value) {
      if (value == null) {
        return NULL;
      }
      if (value instanceof Boolean) {
        return BOOLEAN;
      }
      if (value instanceof Number) {
        return NUMBER;
      }
      if (value instanceof String) {
        return STRING;
      }
      if (value instanceof JsonObject) {
        return OBJECT;
      }
      if (value instanceof JsonArray) {
        return ARRAY;
      }
      throw new IllegalArgumentException(
          "Instances of " + value.getClass() + " type are not supported");
    }

    /** Whether a number has no fraction (a {@link BigDecimal} only at scale 0 or less). */
    static boolean isInteger(Object value) {
      if (value instanceof Byte
          || value instanceof Short
          || value instanceof Integer
          || value instanceof Long
          || value instanceof BigInteger) {
        return true;
      }
      if (value instanceof Float f) {
        return f % 1 == 0.0f;
      }
      if (value instanceof Double d) {
        return d % 1 == 0.0;
      }
      if (value instanceof BigDecimal decimal) {
        return decimal.remainder(BigDecimal.ONE).equals(BigDecimal.ZERO);
      }
      return false;
    }

    /** Whether {@code a < b}: exactly when either is big, else as doubles. */
    static boolean less(Number a, Number b) {
      return isBig(a) || isBig(b)
          ? decimal(a).compareTo(decimal(b)) < 0
          : a.doubleValue() < b.doubleValue();
    }

    /** Whether {@code a > b}: exactly when either is big, else as doubles. */
    static boolean greater(Number a, Number b) {
      return isBig(a) || isBig(b)
          ? decimal(a).compareTo(decimal(b)) > 0
          : a.doubleValue() > b.doubleValue();
    }

    /** Equality of two scalars; numbers by value (integers as longs, others as doubles). */
    static boolean equals(Object a, Object b) {
      if (a == null || b == null) {
        return a == b;
      }
      if (a instanceof Number x && b instanceof Number y) {
        if (isInteger(x) && isInteger(y)) {
          return x instanceof BigInteger || y instanceof BigInteger
              ? decimal(x).equals(decimal(y))
              : x.longValue() == y.longValue();
        }
        if (x instanceof BigDecimal || y instanceof BigDecimal) {
          return decimal(x).equals(decimal(y));
        }
        return x.doubleValue() == y.doubleValue();
      }
      return a.equals(b);
    }

    /** Equality of two values of any type, objects and arrays member by member. */
    static boolean deepEquals(Object a, Object b) {
      JsonType type = of(a);
      if (type != of(b)) {
        return false;
      }
      if (a instanceof JsonArray x) {
        if (!(b instanceof JsonArray y) || x.size() != y.size()) {
          return false;
        }
        for (int i = 0; i < x.size(); i++) {
          if (!deepEquals(x.getValue(i), y.getValue(i))) {
            return false;
          }
        }
        return true;
      }
      if (type == OBJECT) {
        JsonObject x = (JsonObject) a;
        JsonObject y = (JsonObject) b;
        if (x.fieldNames().size() != y.fieldNames().size()) {
          return false;
        }
        for (String name : x.fieldNames()) {
          if (!deepEquals(x.getValue(name), y.getValue(name))) {
            return false;
          }
        }
        return true;
      }
      return equals(a, b);
    }

    /** A string's length in UTF-16 code units, a surrogate pair counting once. */
    static int length(String text) {
      int length = 0;
      for (int i = 0, n = text.length(); i < n; length++) {
        char c = text.charAt(i++);
        if (c >= 0xd800 && c <= 0xdbff && i < n && (text.charAt(i) & 0xfc00) == 0xdc00) {
          i++;
        }
      }
      return length;
    }

    private static boolean isBig(Number number) {
      return number instanceof BigDecimal || number instanceof BigInteger;
    }

    private static BigDecimal decimal(Number number) {
      if (number instanceof BigDecimal decimal) {
        return decimal;
      }
      if (number instanceof BigInteger integer) {
        return new BigDecimal(integer);
      }
      if (number instanceof Float || number instanceof Double) {
        return BigDecimal.valueOf(number.doubleValue());
      }
      return BigDecimal.valueOf(number.longValue());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Compilation.

  /** Compiles schemas, following references through the contract's schema repository. */
  private static final class Compiler {

    private final SchemaRepository repository;
    private final Deque<String> following = new ArrayDeque<>();

    Compiler(SchemaRepository repository) {
      this.repository = repository;
    }

    /**
     * The schema {@code raw} (a boolean, or an object of keywords), whose keywords
     * vertx-json-schema locates under {@code schemaLocation} (relative to the schema's own URI) and
     * {@code baseLocation} (the path of keywords walked from the root); {@code where} names it in
     * errors.
     */
    Node node(Object raw, String schemaLocation, String baseLocation, String where) {
      if (raw instanceof Boolean bool) {
        return new Always(bool);
      }
      if (raw == JsonSchema.of(true) || raw == JsonSchema.of(false)) {
        return new Always(raw == JsonSchema.of(true));
      }
      if (!(raw instanceof JsonObject schema)) {
        throw new IllegalArgumentException(where + " is not a schema: " + raw);
      }
      for (String key : schema.getMap().keySet()) {
        if (!COMPILED.contains(key)
            && !ANNOTATIONS.contains(key)
            && !key.startsWith("x-")
            && !(key.startsWith("__") && key.endsWith("__"))) {
          throw new IllegalArgumentException(
              "the contract's schema at "
                  + where
                  + " uses the keyword \""
                  + key
                  + "\", which Kopek's request validation (CompiledSchema) does not compile; "
                  + "add it there, with cases in CompiledSchemaTest, or change the schema");
        }
      }
      Object uri = schema.getValue("__absolute_uri__");
      Locator at = new Locator(uri instanceof String s ? s : null, schemaLocation, baseLocation);

      List<Check> any = new ArrayList<>();
      if (schema.containsKey("$ref")) {
        any.add(ref(schema, at, where));
      }
      if (schema.containsKey("type")) {
        any.add(type(schema.getValue("type"), at.keyword("type"), where));
      }
      if (schema.containsKey("const")) {
        Object constant = schema.getValue("const");
        any.add(
            new Const(
                constant, "Instance does not match " + Json.encode(constant), at.keyword("const")));
      }
      if (schema.containsKey("enum")) {
        JsonArray values = array(schema, "enum", where);
        List<Object> allowed = new ArrayList<>();
        values.forEach(allowed::add);
        any.add(
            new Allowed(
                allowed.toArray(),
                "Instance does not match any of " + Json.encode(values),
                at.keyword("enum")));
      }
      if (schema.containsKey("not")) {
        any.add(
            new Not(
                node(
                    schema.getValue("not"),
                    schemaLocation + "/not",
                    baseLocation + "/not",
                    where + "/not"),
                at.keyword("not")));
      }

      List<Check> object = new ArrayList<>();
      if (schema.containsKey("required")) {
        JsonArray required = array(schema, "required", where);
        String[] names = new String[required.size()];
        String[] messages = new String[names.length];
        for (int i = 0; i < names.length; i++) {
          if (!(required.getValue(i) instanceof String name)) {
            throw new IllegalArgumentException(where + "/required lists a non-string");
          }
          names[i] = name;
          messages[i] = "Instance does not have required property \"" + names[i] + "\"";
        }
        object.add(new Required(names, messages, at.keyword("required")));
      }
      for (String count : List.of("minProperties", "maxProperties")) {
        if (schema.containsKey(count)) {
          int limit = integer(schema, count, where);
          object.add(
              new PropertyCount(
                  count.startsWith("min"),
                  limit,
                  "Instance does not have at least " + limit + " properties",
                  at.keyword(count)));
        }
      }
      if (schema.containsKey("properties") || schema.containsKey("additionalProperties")) {
        object.add(properties(schema, at, where));
      }

      List<Check> array = new ArrayList<>();
      if (schema.containsKey("maxItems")) {
        array.add(new ItemCount(false, integer(schema, "maxItems", where), at.keyword("maxItems")));
      }
      if (schema.containsKey("minItems")) {
        array.add(new ItemCount(true, integer(schema, "minItems", where), at.keyword("minItems")));
      }
      if (schema.containsKey("items")) {
        Object items = schema.getValue("items");
        if (items instanceof JsonArray) {
          throw new IllegalArgumentException(
              "the contract's schema at " + where + " gives items as an array, not compiled");
        }
        array.add(
            new Items(
                node(items, schemaLocation + "/items", baseLocation + "/items", where + "/items"),
                at.keyword("items")));
      }

      List<Check> number = new ArrayList<>();
      if (schema.containsKey("minimum")) {
        number.add(new Bound(true, number(schema, "minimum", where), at.keyword("minimum")));
      }
      if (schema.containsKey("maximum")) {
        number.add(new Bound(false, number(schema, "maximum", where), at.keyword("maximum")));
      }

      List<Check> string = new ArrayList<>();
      if (schema.containsKey("minLength") || schema.containsKey("maxLength")) {
        string.add(
            new Length(
                schema.containsKey("minLength") ? number(schema, "minLength", where) : null,
                schema.containsKey("maxLength") ? number(schema, "maxLength", where) : null,
                at.keyword("minLength"),
                at.keyword("maxLength")));
      }
      if (schema.containsKey("pattern")) {
        string.add(
            new Matches(Pattern.compile(text(schema, "pattern", where)), at.keyword("pattern")));
      }
      Check format = null;
      if (schema.containsKey("format")) {
        String name = text(schema, "format", where);
        string.add(
            new StringFormat(
                name, "String does not match format \"" + name + "\"", at.keyword("format")));
        format = new OpenApiFormat(name, at.keyword("format"));
      }
      return new Keywords(
          any.toArray(new Check[0]),
          object.toArray(new Check[0]),
          array.toArray(new Check[0]),
          number.toArray(new Check[0]),
          string.toArray(new Check[0]),
          format);
    }

    private Check ref(JsonObject schema, Locator at, String where) {
      String ref = text(schema, "$ref", where);
      String absolute =
          schema.getValue("__absolute_ref__") instanceof String uri
              ? uri
              : ref; // as vertx-json-schema looks references up
      JsonSchema target = repository.find(absolute);
      if (target == null
          || (target instanceof JsonObject object
              && !absolute.equals(object.getValue("__absolute_uri__")))) {
        throw new IllegalArgumentException(
            "the contract's schema at " + where + " refers to " + absolute + ", not found");
      }
      if (following.contains(absolute)) {
        throw new IllegalArgumentException(
            "the contract's schema at "
                + where
                + " refers to "
                + ref
                + " recursively, which is not compiled");
      }
      following.push(absolute);
      try {
        return new Ref(node(target, ref, at.base + "/$ref", absolute), at.keyword("$ref"));
      } finally {
        following.pop();
      }
    }

    private Check properties(JsonObject schema, Locator at, String where) {
      JsonObject declared =
          schema.containsKey("properties") ? object(schema, "properties", where) : new JsonObject();
      String[] names = declared.fieldNames().toArray(new String[0]);
      Node[] schemas = new Node[names.length];
      for (int i = 0; i < names.length; i++) {
        String pointer = "/properties/" + Utils.Pointers.encode(names[i]);
        schemas[i] =
            node(
                declared.getValue(names[i]),
                at.schema + pointer,
                at.base + pointer,
                where + pointer);
      }
      Node additional =
          schema.containsKey("additionalProperties")
              ? node(
                  schema.getValue("additionalProperties"),
                  at.schema + "/additionalProperties",
                  at.base + "/additionalProperties",
                  where + "/additionalProperties")
              : null;
      return new Properties(
          names, schemas, at.keyword("properties"), additional, at.keyword("additionalProperties"));
    }

    private static Check type(Object type, Keyword keyword, String where) {
      if (type instanceof String name) {
        return new Type(new String[] {name}, name, keyword);
      }
      if (type instanceof JsonArray names) {
        String[] list = new String[names.size()];
        for (int i = 0; i < list.length; i++) {
          list[i] = names.getString(i);
        }
        return new Type(list, String.join(", ", list), keyword);
      }
      throw new IllegalArgumentException(where + "/type is neither a name nor a list of names");
    }

    private static JsonArray array(JsonObject schema, String key, String where) {
      if (!(schema.getValue(key) instanceof JsonArray value)) {
        throw new IllegalArgumentException(where + "/" + key + " is not an array");
      }
      return value;
    }

    private static JsonObject object(JsonObject schema, String key, String where) {
      if (!(schema.getValue(key) instanceof JsonObject value)) {
        throw new IllegalArgumentException(where + "/" + key + " is not an object");
      }
      return value;
    }

    private static String text(JsonObject schema, String key, String where) {
      if (!(schema.getValue(key) instanceof String value)) {
        throw new IllegalArgumentException(where + "/" + key + " is not a string");
      }
      return value;
    }

    private static Number number(JsonObject schema, String key, String where) {
      if (!(schema.getValue(key) instanceof Number value)) {
        throw new IllegalArgumentException(where + "/" + key + " is not a number");
      }
      return value;
    }

    private static int integer(JsonObject schema, String key, String where) {
      if (!(schema.getValue(key) instanceof Integer value)) {
        throw new IllegalArgumentException(where + "/" + key + " is not an int");
      }
      return value;
    }
  }

  /**
   * The locations of a schema's keywords: {@code schema} relative to the schema's URI {@code uri}
   * (giving the absolute keyword location), {@code base} from the root.
   */
  private record Locator(String uri, String schema, String base) {
    Keyword keyword(String name) {
      String absolute = uri == null ? null : new URL(schema + "/" + name, uri).href();
      return new Keyword(absolute, base + "/" + name);
    }
  }
}
