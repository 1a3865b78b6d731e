package dev.kopek.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Instances for a JSON schema of the contract, valid ones and systematic mutations of them: each
 * property missing, of a wrong type, at and beyond each bound (lengths and values ±1, in code units
 * and surrogate pairs), off its pattern, format or enum, null, extra properties (with names that
 * need escaping in a JSON pointer), nested objects and arrays at and beyond their sizes, and random
 * mixtures with several errors at once, in random key orders. Which values are valid is not worked
 * out here but asked of vertx-json-schema, so that valid instances are made from valid parts
 * whatever the schema says.
 */
final class SchemaInstances {

  /** Strings the contract's patterns and formats accept, and near misses. */
  private static final List<String> STRINGS =
      List.of(
          "",
          "x",
          " ",
          "USD",
          "JPY",
          "usd",
          "US",
          "USDD",
          "USD\n",
          " USD",
          "U$D",
          "pro",
          "team-2026",
          "Pro",
          "-pro",
          "pro plan",
          "sandbox",
          "stripe",
          "Stripe",
          "9gateway",
          "PT1H",
          "P1D",
          "P30D",
          "PT1.5S",
          "PT0.001S",
          "PT1.0001S",
          "P1M",
          "P1Y",
          "1H",
          "P",
          "PT",
          "761.2",
          "1.2",
          "0.0",
          "12345678901234567890.1",
          "1.",
          ".1",
          "1e3",
          "-5",
          "wallet.debited",
          "wallet.debited,topup.succeeded",
          "wallet.debited,",
          "Wallet.debited",
          "wallet",
          "charge",
          "adjustment",
          "topup",
          "refund",
          "billing",
          "Charge",
          "enabled",
          "disabled",
          "users:read",
          "admin:write",
          "events:read",
          "users:delete",
          "abcdefghijklmnopqrst",
          "abcdefghijklmnopqrs",
          "abcdefghij-_KLMNOPQRST",
          "abcdefghij+KLMNOPQRST",
          "2024-01-01T00:00:00Z",
          "2024-01-01T00:00:00.123Z",
          "2024-01-01T00:00:00+01:00",
          "2024-01-01t00:00:00z",
          "2024-02-30T00:00:00Z",
          "2024-01-01T24:00:00Z",
          "2016-12-31T23:59:60Z",
          "2024-01-01",
          "2024-01-01 00:00:00Z",
          "yesterday",
          "https://example.com/return",
          "http://[::1]/x",
          "ü",
          "😀",
          "\ud83d",
          "a\u0000b",
          "true",
          "null",
          "1",
          "0",
          "-1",
          "9999999999",
          "10000000000");

  /** Names of extra properties, some needing escapes in a JSON pointer. */
  private static final List<String> EXTRA_NAMES =
      List.of("extra", "a/b", "~t", "ü", "", "amount_minor ", "%41", "x y");

  private final SchemaRepository repository;
  private final Random random;
  private final Map<Object, Validator> oracles = new IdentityHashMap<>();

  SchemaInstances(SchemaRepository repository, long seed) {
    this.repository = repository;
    this.random = new Random(seed);
  }

  /** Instances of {@code schema}: about as many invalid as valid ones, of every kind above. */
  List<Object> of(Object schema) {
    return candidates(schema, 0);
  }

  private List<Object> candidates(Object rawSchema, int depth) {
    Set<Object> values = new LinkedHashSet<>(wrongTypes());
    if (!(rawSchema instanceof JsonObject schema)) {
      return new ArrayList<>(values);
    }
    if (schema.containsKey("$ref")) {
      values.addAll(candidates(target(schema), depth));
    }
    Object type = schema.getValue("type");
    if (hasType(type, "string")
        || schema.containsKey("pattern")
        || schema.containsKey("minLength")
        || schema.containsKey("maxLength")) {
      values.addAll(strings(schema));
    }
    if (hasType(type, "integer")
        || hasType(type, "number")
        || schema.containsKey("minimum")
        || schema.containsKey("maximum")) {
      values.addAll(numbers(schema));
    }
    if (hasType(type, "boolean")) {
      values.addAll(List.of(true, false, "true", "false", 1));
    }
    if (schema.getValue("enum") instanceof JsonArray allowed) {
      for (Object value : allowed) {
        values.add(value);
        if (value instanceof String text) {
          values.add(text + "x");
          values.add(text.toUpperCase());
          values.add(text.isEmpty() ? "x" : text.substring(1));
        }
      }
    }
    if (schema.containsKey("const")) {
      Object constant = schema.getValue("const");
      values.add(constant);
      if (constant instanceof Number number) {
        values.addAll(around(number));
      }
    }
    if (schema.getValue("not") instanceof JsonObject not) {
      values.addAll(candidates(not, depth + 1));
    }
    if (depth < 3
        && (hasType(type, "object")
            || schema.containsKey("properties")
            || schema.containsKey("additionalProperties"))) {
      values.addAll(objects(schema, depth));
    }
    if (depth < 3 && (hasType(type, "array") || schema.containsKey("items"))) {
      values.addAll(arrays(schema, depth));
    }
    return new ArrayList<>(values);
  }

  private static List<Object> wrongTypes() {
    return new ArrayList<>(
        java.util.Arrays.asList(
            null,
            true,
            false,
            0,
            1,
            -1,
            2.5,
            "",
            "x",
            new JsonObject(),
            new JsonArray(),
            new JsonObject().put("a", 1),
            new JsonArray().add(1)));
  }

  private List<Object> strings(JsonObject schema) {
    List<Object> strings = new ArrayList<>(STRINGS);
    Set<Integer> lengths = new LinkedHashSet<>(List.of(0, 1, 2, 3));
    for (String bound : List.of("minLength", "maxLength")) {
      if (schema.getValue(bound) instanceof Number n) {
        int length = n.intValue();
        lengths.addAll(List.of(length - 1, length, length + 1));
      }
    }
    for (int length : lengths) {
      if (length < 0 || length > 5000) {
        continue;
      }
      for (String unit : List.of("a", "A", "0", "_", "é", "😀")) {
        strings.add(unit.repeat(length));
      }
      if (length > 0) {
        strings.add("\ud83d" + "a".repeat(length - 1)); // a lone high surrogate counts once
        strings.add("a".repeat(length - 1) + "\ud83d");
        strings.add("USD".repeat(length / 3 + 1).substring(0, length));
        strings.add(("1".repeat(length) + ".5").substring(0, Math.max(0, length)));
      }
    }
    return strings;
  }

  private static List<Object> numbers(JsonObject schema) {
    List<Object> numbers =
        new ArrayList<>(
            List.of(
                0,
                1,
                -1,
                20,
                Integer.MAX_VALUE,
                (long) Integer.MAX_VALUE + 1,
                Long.MAX_VALUE,
                Long.MIN_VALUE,
                BigInteger.TWO.pow(64),
                BigInteger.TWO.pow(64).negate(),
                1.0,
                1.5,
                -0.0,
                1e300,
                0.1,
                new BigDecimal("1.0"),
                new BigDecimal("1E+2"),
                new BigDecimal("0.5"),
                1.5f,
                (short) 3,
                "1",
                "1.5",
                "abc"));
    for (String bound : List.of("minimum", "maximum")) {
      if (schema.getValue(bound) instanceof Number limit) {
        numbers.addAll(around(limit));
      }
    }
    return numbers;
  }

  /** {@code n-1}, {@code n}, {@code n+1} as the integers a JSON decoder makes, and as others. */
  private static List<Object> around(Number n) {
    List<Object> numbers = new ArrayList<>();
    BigInteger exact = new BigDecimal(n.toString()).toBigInteger();
    for (int delta = -1; delta <= 1; delta++) {
      BigInteger value = exact.add(BigInteger.valueOf(delta));
      numbers.add(decoded(value));
      numbers.add(value);
      numbers.add(value.doubleValue());
      numbers.add(new BigDecimal(value));
      numbers.add(new BigDecimal(value).add(new BigDecimal("0.5")));
      numbers.add(value.doubleValue() + 0.5);
    }
    return numbers;
  }

  /** As Jackson decodes an integer: an int, a long or a big integer. */
  private static Object decoded(BigInteger value) {
    if (value.bitLength() < 32) {
      return value.intValue();
    }
    if (value.bitLength() < 64) {
      return value.longValue();
    }
    return value;
  }

  private List<Object> objects(JsonObject schema, int depth) {
    JsonObject properties =
        schema.getValue("properties") instanceof JsonObject declared ? declared : new JsonObject();
    Set<String> required = new LinkedHashSet<>();
    if (schema.getValue("required") instanceof JsonArray names) {
      names.forEach(name -> required.add((String) name));
    }
    Map<String, List<Object>> all = new LinkedHashMap<>();
    Map<String, List<Object>> valid = new LinkedHashMap<>();
    for (String name : properties.fieldNames()) {
      Object propertySchema = properties.getValue(name);
      List<Object> candidates = candidates(propertySchema, depth + 1);
      all.put(name, candidates);
      valid.put(name, validOnes(propertySchema, candidates));
    }
    Object additional = schema.getValue("additionalProperties");
    if (additional instanceof JsonObject additionalSchema) {
      List<Object> candidates = candidates(additionalSchema, depth + 1);
      for (String name : List.of("first_name", "city", "a/b")) {
        all.put(name, candidates);
        valid.put(name, validOnes(additionalSchema, candidates));
      }
    }

    List<Object> objects = new ArrayList<>();
    Map<String, Object> base = new LinkedHashMap<>();
    valid.forEach(
        (name, values) -> {
          if (!values.isEmpty()) {
            base.put(name, values.get(0));
          }
        });
    objects.add(json(base));
    objects.add(new JsonObject());
    Map<String, Object> requiredOnly = new LinkedHashMap<>(base);
    requiredOnly.keySet().retainAll(required);
    objects.add(json(requiredOnly));
    int perProperty = depth == 0 ? Integer.MAX_VALUE : 6;
    for (String name : all.keySet()) {
      Map<String, Object> without = new LinkedHashMap<>(base);
      without.remove(name);
      objects.add(json(without));
      for (Object value : sample(all.get(name), perProperty)) {
        Map<String, Object> with = new LinkedHashMap<>(base);
        with.put(name, value);
        objects.add(depth % 2 == 0 ? json(with) : with);
      }
      // the property first, then last: the order of errors follows the instance's keys
      Map<String, Object> moved = new LinkedHashMap<>();
      moved.put(name, pick(all.get(name)));
      base.forEach(moved::putIfAbsent);
      objects.add(json(moved));
    }
    for (String extra : EXTRA_NAMES) {
      Map<String, Object> with = new LinkedHashMap<>(base);
      with.put(extra, pick(wrongTypes()));
      objects.add(json(with));
    }
    int mixtures = depth == 0 ? 200 : 8;
    List<String> names = new ArrayList<>(all.keySet());
    for (int i = 0; i < mixtures; i++) {
      Collections.shuffle(names, random);
      Map<String, Object> mixed = new LinkedHashMap<>();
      for (String name : names) {
        int roll = random.nextInt(10);
        if (roll < 2) {
          continue; // absent
        }
        List<Object> values =
            roll < 6 && !valid.get(name).isEmpty() ? valid.get(name) : all.get(name);
        mixed.put(name, pick(values));
      }
      if (random.nextInt(4) == 0) {
        mixed.put(pick(EXTRA_NAMES), pick(wrongTypes()));
      }
      objects.add(random.nextBoolean() ? json(mixed) : mixed);
    }
    return objects;
  }

  private List<Object> arrays(JsonObject schema, int depth) {
    Object itemSchema = schema.getValue("items");
    List<Object> items = candidates(itemSchema, depth + 1);
    List<Object> valid = validOnes(itemSchema, items);
    Object good = valid.isEmpty() ? "x" : valid.get(0);
    List<Object> arrays = new ArrayList<>();
    Set<Integer> sizes = new LinkedHashSet<>(List.of(0, 1, 2));
    for (String bound : List.of("minItems", "maxItems")) {
      if (schema.getValue(bound) instanceof Number n) {
        sizes.addAll(List.of(n.intValue() - 1, n.intValue(), n.intValue() + 1));
      }
    }
    for (int size : sizes) {
      if (size >= 0) {
        arrays.add(new JsonArray(new ArrayList<>(Collections.nCopies(size, good))));
      }
    }
    for (Object item : sample(items, depth == 0 ? Integer.MAX_VALUE : 6)) {
      arrays.add(new JsonArray().add(item));
      arrays.add(new ArrayList<>(List.of(good, item == null ? "x" : item, good)));
    }
    for (int i = 0; i < (depth == 0 ? 100 : 5); i++) {
      List<Object> mixed = new ArrayList<>();
      int size = random.nextInt(5);
      for (int j = 0; j < size; j++) {
        mixed.add(random.nextBoolean() && !valid.isEmpty() ? pick(valid) : pick(items));
      }
      arrays.add(random.nextBoolean() ? new JsonArray(mixed) : mixed);
    }
    return arrays;
  }

  /** The candidates vertx-json-schema accepts for {@code schema}. */
  private List<Object> validOnes(Object schema, List<Object> candidates) {
    if (!(schema instanceof JsonObject object)) {
      return Boolean.FALSE.equals(schema) ? List.of() : candidates;
    }
    Validator oracle =
        oracles.computeIfAbsent(schema, s -> repository.validator(JsonSchema.of(object)));
    List<Object> valid = new ArrayList<>();
    for (Object candidate : candidates) {
      try {
        if (oracle.validate(candidate).getValid()) {
          valid.add(candidate);
        }
      } catch (RuntimeException refused) {
        // not a JSON value the validator takes
      }
    }
    return valid;
  }

  private JsonObject target(JsonObject schema) {
    Object uri = schema.getValue("__absolute_ref__");
    JsonSchema target = repository.find(uri != null ? uri.toString() : schema.getString("$ref"));
    return target instanceof JsonObject object ? object : new JsonObject();
  }

  private static boolean hasType(Object type, String name) {
    return name.equals(type) || (type instanceof JsonArray names && names.contains(name));
  }

  private <T> T pick(List<T> values) {
    return values.get(random.nextInt(values.size()));
  }

  private List<Object> sample(List<Object> values, int count) {
    if (values.size() <= count) {
      return values;
    }
    List<Object> sample = new ArrayList<>(values);
    Collections.shuffle(sample, random);
    return sample.subList(0, count);
  }

  private static JsonObject json(Map<String, Object> map) {
    return new JsonObject(new LinkedHashMap<>(map));
  }
}
