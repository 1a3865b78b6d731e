package dev.kopek.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopek.model.Failure;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaValidationException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import io.vertx.json.schema.impl.SchemaValidatorInternal;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidationContext;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link CompiledSchema} against vertx-json-schema's own validator, on every request body and
 * parameter schema of the contract: for thousands of instances made from each (see {@link
 * SchemaInstances}), the two accept the same ones, and for the others give the same output (every
 * error, its message, type and locations, in the same order) and the same 400 problem (code, field
 * and detail).
 */
@DisplayName("Request schemas compiled by Kopek")
@Timeout(120)
class CompiledSchemaTest {

  private static Vertx vertx;
  private static OpenAPIContract contract;

  @BeforeAll
  static void load() throws Exception {
    vertx = Vertx.vertx();
    contract = Contract.load(vertx, HttpVerticle.CONTRACT).await(60, TimeUnit.SECONDS).openApi();
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** A request schema of the contract, named by where it is, and how its errors become a 400. */
  private record Subject(
      String name,
      boolean text,
      JsonSchema schema,
      BiFunction<OutputUnit, JsonSchemaValidationException, SchemaValidationException> failure) {}

  private static List<Subject> subjects() {
    Map<JsonSchema, Subject> subjects = new IdentityHashMap<>();
    for (Operation operation : contract.operations()) {
      for (Parameter parameter : operation.getParameters()) {
        subjects.putIfAbsent(
            parameter.getSchema(),
            new Subject(
                operation.getOperationId() + " " + parameter.getIn() + " " + parameter.getName(),
                true,
                parameter.getSchema(),
                (result, invalid) ->
                    SchemaValidationException.createErrorFromOutputUnitType(
                        parameter, result, invalid)));
      }
      if (operation.getRequestBody() != null) {
        for (Map.Entry<String, MediaType> media :
            operation.getRequestBody().getContent().entrySet()) {
          subjects.putIfAbsent(
              media.getValue().getSchema(),
              new Subject(
                  operation.getOperationId() + " body " + media.getKey(),
                  false,
                  media.getValue().getSchema(),
                  (result, invalid) ->
                      SchemaValidationException.createInvalidValueBody(
                          result, ValidationContext.REQUEST, invalid)));
        }
      }
    }
    return new ArrayList<>(subjects.values());
  }

  @TestFactory
  @DisplayName("validate every request schema as vertx-json-schema does")
  Stream<DynamicTest> sameAsTheLibrary() {
    return subjects().stream()
        .map(subject -> DynamicTest.dynamicTest(subject.name(), () -> compare(subject)));
  }

  private static void compare(Subject subject) {
    Validator library = contract.getSchemaRepository().validator(subject.schema());
    Validator compiled = CompiledSchema.compile(contract, subject.schema());
    JsonSchema validated = ((SchemaValidatorInternal) library).schema();
    List<Object> instances =
        new SchemaInstances(contract.getSchemaRepository(), subject.name().hashCode())
            .of(validated);
    int accepted = 0;
    int refused = 0;
    for (Object instance : instances) {
      for (Object form : forms(instance, subject.text())) {
        Outcome expected = Outcome.of(library, form, subject);
        Outcome actual = Outcome.of(compiled, form, subject);
        if (!actual.equals(expected)) {
          assertThat(actual).as("%s, for %s", subject.name(), describe(form)).isEqualTo(expected);
        }
        if (expected.valid()) {
          accepted++;
        } else {
          refused++;
        }
      }
    }
    assertThat(accepted).as("%s: instances accepted", subject.name()).isPositive();
    boolean constrains = !((JsonObject) validated).fieldNames().isEmpty();
    if (constrains) {
      assertThat(refused).as("%s: instances refused", subject.name()).isPositive();
    }
    assertThat(accepted + refused).as("%s: instances", subject.name()).isGreaterThan(20);
  }

  /**
   * The instance as made, and as Kopek's decoder reads its JSON (maps below the top, numbers as
   * Jackson reads them), and for a parameter as text, which string parameters are validated as.
   */
  private static List<Object> forms(Object instance, boolean text) {
    List<Object> forms = new ArrayList<>();
    forms.add(instance);
    try {
      String json = Json.encode(instance);
      forms.add(StrictJson.decode(Buffer.buffer(json)));
      if (text && !(instance instanceof String)) {
        forms.add(json);
      }
    } catch (RuntimeException notStrictJson) {
      // an unpaired surrogate, say: only the value as made
    }
    return forms;
  }

  private static String describe(Object instance) {
    String type = instance == null ? "null" : instance.getClass().getSimpleName();
    try {
      return type + " " + Json.encode(instance);
    } catch (RuntimeException unencodable) {
      return type + " " + instance;
    }
  }

  /**
   * What a validator made of an instance: its whole output, the exception it threw instead, and the
   * 400 problem Kopek would reply with.
   */
  private record Outcome(
      boolean valid, JsonObject output, String thrown, String exception, Failure problem) {

    static Outcome of(Validator validator, Object instance, Subject subject) {
      OutputUnit result;
      try {
        result = validator.validate(instance);
      } catch (RuntimeException thrown) {
        return new Outcome(false, null, thrown.getClass() + ": " + thrown.getMessage(), null, null);
      }
      try {
        result.checkValidity();
        return new Outcome(true, result.toJson(), null, null, null);
      } catch (JsonSchemaValidationException invalid) {
        SchemaValidationException exception = subject.failure().apply(result, invalid);
        return new Outcome(
            false,
            result.toJson(),
            null,
            exception.getMessage() + " / " + invalid.getMessage() + " @ " + invalid.location(),
            Problems.fromValidation(exception));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"array\",\"uniqueItems\":true}}}",
        "{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}",
        "{\"type\":\"object\",\"patternProperties\":{\"^x\":{\"type\":\"string\"}}}",
        "{\"type\":\"integer\",\"exclusiveMinimum\":0}",
        "{\"type\":\"number\",\"multipleOf\":2}",
        "{\"type\":\"object\",\"properties\":{\"a\":{\"allOf\":[{\"minLength\":1}]}}}",
        "{\"type\":\"string\",\"nullable\":true}",
        "{\"type\":\"array\",\"items\":{\"type\":\"string\",\"contentEncoding\":\"base64\"}}",
        "{\"type\":\"object\",\"dependentRequired\":{\"a\":[\"b\"]}}",
        "{\"if\":{\"type\":\"string\"},\"then\":{\"minLength\":1}}"
      })
  @DisplayName("refuse, when the routes are built, a keyword not compiled")
  void refusesKeywordsNotCompiled(String schema) {
    OpenAPIContract withKeyword = contractWithBody(new JsonObject(schema));
    JsonSchema body = bodySchema(withKeyword);
    assertThatThrownBy(() -> CompiledSchema.compile(withKeyword, body))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("uses the keyword")
        .hasMessageContaining("CompiledSchema");
    assertThatThrownBy(() -> ContractValidator.of(vertx, withKeyword))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("name the keyword not compiled, and where it is")
  void namesTheKeyword() {
    OpenAPIContract withKeyword =
        contractWithBody(
            new JsonObject(
                "{\"type\":\"object\",\"properties\":{\"tags\":{\"type\":\"array\","
                    + "\"uniqueItems\":true}}}"));
    assertThatThrownBy(() -> CompiledSchema.compile(withKeyword, bodySchema(withKeyword)))
        .hasMessageContaining("\"uniqueItems\"")
        .hasMessageContaining("/properties/tags");
  }

  @Test
  @DisplayName("refuse a recursive reference")
  void refusesRecursion() {
    JsonObject node =
        new JsonObject(
            "{\"type\":\"object\",\"properties\":{\"child\":{\"$ref\":\"#/components/schemas/Node\"}}}");
    OpenAPIContract recursive =
        contractWithBody(
            new JsonObject().put("$ref", "#/components/schemas/Node"),
            new JsonObject().put("Node", node));
    assertThatThrownBy(() -> CompiledSchema.compile(recursive, bodySchema(recursive)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("recursively");
  }

  @Test
  @DisplayName("validate a schema made of the keywords compiled as the library does")
  void everyKeywordCompiled() {
    JsonObject schema =
        new JsonObject(
            """
            {"type": "object", "additionalProperties": {"type": "string", "maxLength": 2},
             "required": ["n", "s"], "minProperties": 2, "maxProperties": 9,
             "properties": {
               "n": {"type": ["integer", "null"], "format": "int32", "minimum": -3, "maximum": 3,
                     "not": {"const": 0}},
               "s": {"type": "string", "minLength": 1, "maxLength": 3, "pattern": "^[a-c]+$"},
               "d": {"type": "string", "format": "date"},
               "e": {"enum": ["a", 1, null, {"k": [1]}], "description": "ignored"},
               "a": {"type": "array", "minItems": 1, "maxItems": 2,
                     "items": {"$ref": "#/components/schemas/Item"}},
               "b": false, "t": true}}
            """);
    JsonObject item =
        new JsonObject("{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{}}");
    OpenAPIContract made = contractWithBody(schema, new JsonObject().put("Item", item));
    Validator library = made.getSchemaRepository().validator(bodySchema(made));
    Validator compiled = CompiledSchema.compile(made, bodySchema(made));
    List<Object> instances =
        new SchemaInstances(made.getSchemaRepository(), 17)
            .of(((SchemaValidatorInternal) library).schema());
    Subject subject =
        new Subject(
            "made",
            false,
            bodySchema(made),
            (result, invalid) ->
                SchemaValidationException.createInvalidValueBody(
                    result, ValidationContext.REQUEST, invalid));
    int accepted = 0;
    for (Object instance : instances) {
      for (Object form : forms(instance, false)) {
        Outcome expected = Outcome.of(library, form, subject);
        assertThat(Outcome.of(compiled, form, subject)).as(describe(form)).isEqualTo(expected);
        accepted += expected.valid() ? 1 : 0;
      }
    }
    assertThat(accepted).isPositive().isLessThan(instances.size());
  }

  private static OpenAPIContract contractWithBody(JsonObject schema) {
    return contractWithBody(schema, new JsonObject());
  }

  private static OpenAPIContract contractWithBody(JsonObject schema, JsonObject components) {
    try {
      return contractWith(schema, components);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static OpenAPIContract contractWith(JsonObject schema, JsonObject components)
      throws Exception {
    JsonObject json =
        new JsonObject()
            .put("openapi", "3.1.0")
            .put("info", new JsonObject().put("title", "t").put("version", "1"))
            .put(
                "paths",
                new JsonObject()
                    .put(
                        "/x",
                        new JsonObject()
                            .put(
                                "post",
                                new JsonObject()
                                    .put("operationId", "x")
                                    .put(
                                        "requestBody",
                                        new JsonObject()
                                            .put(
                                                "content",
                                                new JsonObject()
                                                    .put(
                                                        "application/json",
                                                        new JsonObject().put("schema", schema))))
                                    .put(
                                        "responses",
                                        new JsonObject()
                                            .put(
                                                "204",
                                                new JsonObject().put("description", "ok"))))))
            .put("components", new JsonObject().put("schemas", components));
    return OpenAPIContract.from(vertx, json).await(30, TimeUnit.SECONDS);
  }

  private static JsonSchema bodySchema(OpenAPIContract contract) {
    return Objects.requireNonNull(
        contract.operation("x").getRequestBody().getContent().get("application/json").getSchema());
  }
}
