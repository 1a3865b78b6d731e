package dev.kopek.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.json.schema.impl.SchemaValidatorImpl;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.RequestBody;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidationContext;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.RequestValidatorImpl;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Properties;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A fence around {@link ContractValidator}, which extends vertx-openapi's internal {@code impl}
 * classes, and {@link CompiledSchema}, which mirrors vertx-json-schema's (internal API, free to
 * change in any release): it names the version they were checked against and the inherited methods
 * ContractValidator relies on, so that an upgrade of the Vert.x stack that changes them fails here,
 * with what to re-check, instead of validating requests differently without notice. The behaviour
 * itself is covered by BadInputTest and CompiledSchemaTest.
 */
@DisplayName("ContractValidator's fence around vertx-openapi internals")
class ContractValidatorFenceTest {

  /** The vertx-openapi release ContractValidator's overrides were checked against. */
  static final String CHECKED_AGAINST = "5.0.7";

  @Test
  @DisplayName("vertx-openapi is the release ContractValidator was checked against")
  void version() throws Exception {
    assertThat(version(RequestValidatorImpl.class, "vertx-openapi"))
        .as(
            "vertx-openapi changed: re-check ContractValidator against RequestValidatorImpl "
                + "(validate, validateParameter, validateBody, isSchemaValidationRequired) and "
                + "RequestParameterImpl, run BadInputTest, then update CHECKED_AGAINST")
        .isEqualTo(CHECKED_AGAINST);
  }

  @Test
  @DisplayName("vertx-json-schema is the release CompiledSchema mirrors")
  void jsonSchemaVersion() throws Exception {
    assertThat(version(SchemaValidatorImpl.class, "vertx-json-schema"))
        .as(
            "vertx-json-schema changed: re-check CompiledSchema against SchemaValidatorImpl "
                + "(validate) and the helpers it calls (Format, URL, Utils.Pointers, "
                + "SchemaValidatorInternal), run CompiledSchemaTest, then update CHECKED_AGAINST")
        .isEqualTo(CHECKED_AGAINST);
  }

  /** The version of the Maven artifact {@code io.vertx:artifact}, whose class {@code type} is. */
  private static String version(Class<?> type, String artifact) throws Exception {
    Properties pom = new Properties();
    try (InputStream in =
        type.getResourceAsStream("/META-INF/maven/io.vertx/" + artifact + "/pom.properties")) {
      assertThat(in).as(artifact + "'s pom.properties").isNotNull();
      pom.load(in);
    }
    return pom.getProperty("version");
  }

  @Test
  @DisplayName("the inherited methods it calls and overrides keep their shapes")
  void inheritedMethods() throws NoSuchMethodException {
    assertOverridable(
        inherited("validate", ValidatableRequest.class, String.class), io.vertx.core.Future.class);
    assertOverridable(
        inherited("validate", MediaType.class, String.class, Buffer.class, ValidationContext.class),
        RequestParameterImpl.class);
    assertOverridable(
        inherited("validateParameter", Parameter.class, RequestParameter.class),
        RequestParameter.class);
    assertCallable(
        inherited("validateBody", RequestBody.class, ValidatableRequest.class),
        RequestParameter.class);
    assertCallable(inherited("isSchemaValidationRequired", MediaType.class), boolean.class);
    assertThat(RequestParameterImpl.class.getConstructor(Object.class)).isNotNull();
    assertThat(ContractValidator.class.getSuperclass()).isEqualTo(RequestValidatorImpl.class);
  }

  /** The method as RequestValidatorImpl declares or inherits it. */
  private static Method inherited(String name, Class<?>... parameters) {
    for (Class<?> type = RequestValidatorImpl.class; type != null; type = type.getSuperclass()) {
      try {
        return type.getDeclaredMethod(name, parameters);
      } catch (NoSuchMethodException notHere) {
        // the superclass may declare it
      }
    }
    throw new AssertionError(
        "vertx-openapi's RequestValidatorImpl has no "
            + name
            + java.util.Arrays.toString(parameters)
            + " any more: ContractValidator relies on it");
  }

  private static void assertOverridable(Method method, Class<?> returns) {
    assertCallable(method, returns);
    assertThat(Modifier.isFinal(method.getModifiers())).as(method + " is final").isFalse();
  }

  private static void assertCallable(Method method, Class<?> returns) {
    assertThat(Modifier.isPrivate(method.getModifiers())).as(method + " is private").isFalse();
    assertThat(method.getReturnType()).as(method + " returns").isEqualTo(returns);
  }
}
