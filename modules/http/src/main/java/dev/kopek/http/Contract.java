package dev.kopek.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The OpenAPI contract: its text, served as it is at {@code /openapi.yaml}, and the form the router
 * is built from. The router validates requests only, and vertx-openapi refuses to load response
 * media types it cannot validate (problem+json, CSV, YAML, HTML, forms); the router's copy
 * therefore drops bodies of those types. JSON requests are validated against the contract as it is.
 */
record Contract(Buffer text, OpenAPIContract openApi) {

  /** Response media types vertx-openapi 5.0 can load. */
  private static final Set<String> LOADABLE_MEDIA_TYPES =
      Set.of(
          "application/json",
          "application/json; charset=utf-8",
          "text/plain",
          "text/plain; charset=utf-8",
          "application/octet-stream",
          "multipart/form-data",
          "application/hal+json");

  static Future<Contract> load(Vertx vertx, String resource) {
    return vertx
        .fileSystem()
        .readFile(resource)
        .compose(
            text -> {
              JsonObject raw = parse(text);
              return OpenAPIContract.from(vertx, routable(raw.copy()))
                  .map(api -> new Contract(text, api));
            });
  }

  /** The YAML as JSON; a safe loader, since the contract is data. */
  static JsonObject parse(Buffer text) {
    Map<String, Object> map =
        new Yaml(new SafeConstructor(new LoaderOptions())).load(text.toString());
    return new JsonObject(map);
  }

  private static JsonObject routable(JsonObject contract) {
    JsonObject paths = contract.getJsonObject("paths");
    paths.forEach(
        path ->
            ((JsonObject) path.getValue())
                .forEach(
                    operation -> {
                      if (!(operation.getValue() instanceof JsonObject op)
                          || !op.containsKey("responses")) {
                        return;
                      }
                      JsonObject requestBody = op.getJsonObject("requestBody");
                      if (requestBody != null && requestBody.containsKey("content")) {
                        requestBody
                            .getJsonObject("content")
                            .fieldNames()
                            .removeIf(mediaType -> !LOADABLE_MEDIA_TYPES.contains(mediaType));
                        if (requestBody.getJsonObject("content").isEmpty()) {
                          op.remove("requestBody");
                        }
                      }
                      op.getJsonObject("responses")
                          .forEach(
                              response -> {
                                if (response.getValue() instanceof JsonObject body
                                    && body.containsKey("content")) {
                                  body.getJsonObject("content")
                                      .fieldNames()
                                      .removeIf(
                                          mediaType -> !LOADABLE_MEDIA_TYPES.contains(mediaType));
                                }
                              });
                    }));
    JsonObject responses = contract.getJsonObject("components").getJsonObject("responses");
    if (responses != null) {
      responses.forEach(
          response ->
              ((JsonObject) response.getValue())
                  .getJsonObject("content")
                  .fieldNames()
                  .removeIf(mediaType -> !LOADABLE_MEDIA_TYPES.contains(mediaType)));
    }
    return contract;
  }
}
