package dev.kopek.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
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
 * classes (internal API, free to change in any release): it names the version the validator was
 * checked against and the inherited methods it relies on, so that an upgrade of the Vert.x stack
 * that changes them fails here, with what to re-check, instead of validating requests differently
 * without notice. The behaviour itself is covered by BadInputTest.
 */
@DisplayName("ContractValidator's fence around vertx-openapi internals")
class ContractValidatorFenceTest {

  /** The vertx-openapi release ContractValidator's overrides were checked against. */
  static final String CHECKED_AGAINST = "5.0.7";

  @Test
  @DisplayName("vertx-openapi is the release ContractValidator was checked against")
  void version() throws Exception {
    Properties pom = new Properties();
    try (InputStream in =
        RequestValidatorImpl.class.getResourceAsStream(
            "/META-INF/maven/io.vertx/vertx-openapi/pom.properties")) {
      assertThat(in).as("vertx-openapi's pom.properties").isNotNull();
      pom.load(in);
    }
    assertThat(pom.getProperty("version"))
        .as(
            "vertx-openapi changed: re-check ContractValidator against RequestValidatorImpl "
                + "(validate, validateParameter, validateBody, isSchemaValidationRequired) and "
                + "RequestParameterImpl, run BadInputTest, then update CHECKED_AGAINST")
        .isEqualTo(CHECKED_AGAINST);
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
