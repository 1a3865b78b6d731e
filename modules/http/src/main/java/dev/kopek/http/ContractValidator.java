package dev.kopek.http;

import dev.kopek.model.Failure;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystem;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.JsonSchemaValidationException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import io.vertx.json.schema.common.dsl.SchemaType;
import io.vertx.openapi.contract.Location;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.Path;
import io.vertx.openapi.contract.SecurityRequirement;
import io.vertx.openapi.contract.SecurityScheme;
import io.vertx.openapi.contract.Server;
import io.vertx.openapi.contract.Style;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.ValidationContext;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.analyser.ApplicationJsonAnalyser;
import io.vertx.openapi.validation.analyser.ContentAnalyser;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.RequestValidatorImpl;
import io.vertx.openapi.validation.impl.ValidatedRequestImpl;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;

/**
 * Validates requests against the contract exactly as vertx-openapi's own validator does (the same
 * parameter transformers, content analysis and JSON Schema checks, the same errors), with three
 * differences that matter under load: every schema's validator is built once, when the routes are,
 * instead of once per request and parameter (building one copies the contract's whole schema
 * lookup); it is a {@link CompiledSchema}, which the JIT compiles, instead of vertx-json-schema's
 * validator, which HotSpot leaves interpreted (see there); and validation runs on the event loop,
 * where the request already is, instead of hopping to a worker thread and back. A fourth difference
 * is a fix: a parameter whose schema is a string is validated as the text sent (see {@link
 * #validateParameter}).
 */
final class ContractValidator extends RequestValidatorImpl {

  private ContractValidator(Vertx vertx, OpenAPIContract contract) {
    super(vertx, contract);
  }

  /**
   * A validator of {@code contract}'s requests; its schemas are compiled now.
   *
   * @throws IllegalArgumentException when a request schema uses a keyword {@link CompiledSchema}
   *     does not compile
   */
  static ContractValidator of(Vertx vertx, OpenAPIContract contract) {
    return of(vertx, contract, CompiledSchema::compile);
  }

  /**
   * A validator of {@code contract}'s requests whose schema validators {@code validators} builds,
   * now: the tests and the benchmark compare {@link CompiledSchema} with vertx-json-schema's own.
   */
  static ContractValidator of(
      Vertx vertx,
      OpenAPIContract contract,
      BiFunction<OpenAPIContract, JsonSchema, Validator> validators) {
    return new ContractValidator(vertx, new PrebuiltContract(contract, validators));
  }

  /**
   * The route handler that validates a request of {@code operation} and hands it on as the router's
   * own validation would ({@link RouterBuilder#KEY_META_DATA_VALIDATED_REQUEST}), or fails the
   * request with a 400 carrying the {@link ValidatorException}. With {@code refuseUnknownQuery}, a
   * query parameter the operation does not declare is refused too (400 naming it); pages that
   * payers' browsers land on take it, since providers and mail clients append their own parameters
   * to links.
   */
  Handler<RoutingContext> handler(
      RequestExtractor extractor, Operation operation, boolean refuseUnknownQuery) {
    String operationId = operation.getOperationId();
    if (!refuseUnknownQuery) {
      return ctx -> validate(ctx, extractor, operation, operationId);
    }
    Set<String> queryNames = new TreeSet<>();
    for (Parameter parameter : operation.getParameters()) {
      if (parameter.getIn() == Location.QUERY) {
        queryNames.add(parameter.getName());
      }
    }
    String accepted =
        queryNames.isEmpty()
            ? "no query parameters"
            : "only the query parameters " + String.join(", ", queryNames);
    return ctx -> {
      Failure unknown = unknownQueryParameter(ctx, queryNames, accepted);
      if (unknown != null) {
        ctx.fail(unknown.toException());
        return;
      }
      validate(ctx, extractor, operation, operationId);
    };
  }

  /**
   * A query parameter the operation does not declare: refused (naming it) rather than ignored, so a
   * misspelled filter ({@code currenci=USD}) cannot silently widen a query.
   */
  private static Failure unknownQueryParameter(
      RoutingContext ctx, Set<String> declared, String accepted) {
    if (ctx.request().query() == null) {
      return null;
    }
    for (String name : ctx.queryParams().names()) {
      if (!declared.contains(name)) {
        return Failure.invalid(
            name, "unknown query parameter " + name + "; this operation takes " + accepted);
      }
    }
    return null;
  }

  private void validate(
      RoutingContext ctx, RequestExtractor extractor, Operation operation, String operationId) {
    extractor
        .extractValidatableRequest(ctx, operation)
        .map(request -> decodedOnce(ctx, operation, request))
        .compose(request -> validate(request, operationId))
        .onSuccess(
            validated -> {
              ctx.put(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST, validated);
              ctx.next();
            })
        .onFailure(
            error ->
                ctx.fail(
                    error instanceof ValidatorException
                        ? new HttpException(400, error.getMessage(), error)
                        : error));
  }

  /**
   * The request with each string query parameter sent once taken as Vert.x decoded it.
   * vertx-openapi reads query values from the already decoded parameters and URL-decodes them a
   * second time, so {@code user_id=ann%2Bops} arrived as {@code ann ops} (and {@code %2525} as
   * {@code %}).
   */
  private static ValidatableRequest decodedOnce(
      RoutingContext ctx, Operation operation, ValidatableRequest request) {
    Map<String, RequestParameter> query = null;
    for (Parameter parameter : operation.getParameters()) {
      if (parameter.getIn() == Location.QUERY
          && parameter.getSchemaType() == SchemaType.STRING
          && parameter.getStyle() == Style.FORM) {
        List<String> values = ctx.queryParams().getAll(parameter.getName());
        if (values.size() == 1) {
          if (query == null) {
            query = new HashMap<>(request.getQuery());
          }
          query.put(parameter.getName(), new RequestParameterImpl(values.get(0)));
        }
      }
    }
    return query == null
        ? request
        : new io.vertx.openapi.validation.impl.ValidatableRequestImpl(
            request.getCookies(),
            request.getHeaders(),
            request.getPathParameters(),
            query,
            request.getBody(),
            request.getContentType());
  }

  @Override
  public Future<ValidatedRequest> validate(ValidatableRequest request, String operationId) {
    Operation operation = contract.operation(operationId);
    if (operation == null) {
      return Future.failedFuture(new IllegalArgumentException("no operation " + operationId));
    }
    try {
      Map<String, RequestParameter> cookies = new HashMap<>();
      Map<String, RequestParameter> headers = new HashMap<>();
      Map<String, RequestParameter> path = new HashMap<>();
      Map<String, RequestParameter> query = new HashMap<>();
      for (Parameter parameter : operation.getParameters()) {
        String name = parameter.getName();
        switch (parameter.getIn()) {
          case COOKIE ->
              cookies.put(name, validateParameter(parameter, request.getCookies().get(name)));
          case HEADER ->
              headers.put(name, validateParameter(parameter, request.getHeaders().get(name)));
          case PATH ->
              path.put(name, validateParameter(parameter, request.getPathParameters().get(name)));
          case QUERY -> query.put(name, validateParameter(parameter, request.getQuery().get(name)));
          default ->
              throw new IllegalStateException("unknown parameter location " + parameter.getIn());
        }
      }
      RequestParameter body = validateBody(operation.getRequestBody(), request);
      return Future.succeededFuture(new ValidatedRequestImpl(cookies, headers, path, query, body));
    } catch (RuntimeException invalid) {
      return Future.failedFuture(invalid);
    }
  }

  /**
   * Validates a parameter as vertx-openapi does, except that a string parameter (simple or form
   * style: a path, query or header value as it is) is taken as the text sent. vertx-openapi decodes
   * any value that is not a single word as JSON first, so that {@code 761.2} (an event feed
   * cursor), {@code -5} or {@code 1e3} (a user id, an idempotency key) would become numbers and
   * fail their string schema, and {@code "x"} would lose its quotes.
   */
  @Override
  public RequestParameter validateParameter(Parameter parameter, RequestParameter value) {
    if (value == null
        || value.isNull()
        || parameter.getSchemaType() != SchemaType.STRING
        || (parameter.getStyle() != Style.SIMPLE && parameter.getStyle() != Style.FORM)) {
      return super.validateParameter(parameter, value);
    }
    String text = String.valueOf(value.get());
    OutputUnit result =
        contract.getSchemaRepository().validator(parameter.getSchema()).validate(text);
    try {
      result.checkValidity();
    } catch (JsonSchemaValidationException invalid) {
      throw SchemaValidationException.createErrorFromOutputUnitType(parameter, result, invalid);
    }
    return new RequestParameterImpl(text);
  }

  /**
   * Validates a body as vertx-openapi does, except that JSON is decoded by {@link StrictJson}
   * instead of Vert.x's lenient decoder: a duplicated key or an unpaired surrogate is refused (400
   * naming the field) rather than silently resolved or replaced.
   */
  @Override
  protected RequestParameterImpl validate(
      MediaType mediaType, String contentType, Buffer body, ValidationContext context) {
    if (mediaType == null
        || !(ContentAnalyser.getContentAnalyser(mediaType, contentType, body, context)
            instanceof ApplicationJsonAnalyser)) {
      return super.validate(mediaType, contentType, body, context);
    }
    Object value = StrictJson.decode(body);
    if (!isSchemaValidationRequired(mediaType)) {
      return new RequestParameterImpl(body);
    }
    OutputUnit result =
        contract.getSchemaRepository().validator(mediaType.getSchema()).validate(value);
    try {
      result.checkValidity();
    } catch (JsonSchemaValidationException invalid) {
      throw SchemaValidationException.createInvalidValueBody(result, context, invalid);
    }
    return new RequestParameterImpl(value);
  }

  /** The contract, with a schema repository that hands out validators built once. */
  private static final class PrebuiltContract implements OpenAPIContract {

    private final OpenAPIContract contract;
    private final SchemaRepository repository;

    PrebuiltContract(
        OpenAPIContract contract, BiFunction<OpenAPIContract, JsonSchema, Validator> build) {
      this.contract = contract;
      Map<JsonSchema, Validator> validators = new IdentityHashMap<>();
      for (Operation operation : contract.operations()) {
        for (Parameter parameter : operation.getParameters()) {
          validators.computeIfAbsent(
              parameter.getSchema(), schema -> build.apply(contract, schema));
        }
        if (operation.getRequestBody() != null) {
          for (MediaType mediaType : operation.getRequestBody().getContent().values()) {
            if (mediaType.getSchema() != null) {
              validators.computeIfAbsent(
                  mediaType.getSchema(), schema -> build.apply(contract, schema));
            }
          }
        }
      }
      this.repository = new PrebuiltRepository(contract.getSchemaRepository(), validators);
    }

    @Override
    public SchemaRepository getSchemaRepository() {
      return repository;
    }

    @Override
    public Operation operation(String operationId) {
      return contract.operation(operationId);
    }

    @Override
    public List<Operation> operations() {
      return contract.operations();
    }

    @Override
    public List<Path> getPaths() {
      return contract.getPaths();
    }

    @Override
    public JsonObject getRawContract() {
      return contract.getRawContract();
    }

    @Override
    public OpenAPIVersion getVersion() {
      return contract.getVersion();
    }

    @Override
    public List<Server> getServers() {
      return contract.getServers();
    }

    @Override
    public Path findPath(String urlPath) {
      return contract.findPath(urlPath);
    }

    @Override
    public Operation findOperation(String urlPath, HttpMethod method) {
      return contract.findOperation(urlPath, method);
    }

    @Override
    public List<SecurityRequirement> getSecurityRequirements() {
      return contract.getSecurityRequirements();
    }

    @Override
    public SecurityScheme securityScheme(String name) {
      return contract.securityScheme(name);
    }
  }

  /**
   * A schema repository whose validators for the contract's own schemas are built in advance
   * (read-only afterwards, so safe on every event loop); anything else goes to the original.
   */
  private record PrebuiltRepository(SchemaRepository schemas, Map<JsonSchema, Validator> validators)
      implements SchemaRepository {

    @Override
    public Validator validator(JsonSchema schema) {
      Validator prebuilt = validators.get(schema);
      return prebuilt != null ? prebuilt : schemas.validator(schema);
    }

    @Override
    public SchemaRepository dereference(JsonSchema schema) {
      return schemas.dereference(schema);
    }

    @Override
    public SchemaRepository dereference(String uri, JsonSchema schema) {
      return schemas.dereference(uri, schema);
    }

    @Override
    public SchemaRepository preloadMetaSchema(FileSystem fs) {
      return schemas.preloadMetaSchema(fs);
    }

    @Override
    public SchemaRepository preloadMetaSchema(FileSystem fs, Draft draft) {
      return schemas.preloadMetaSchema(fs, draft);
    }

    @Override
    public Validator validator(String ref) {
      return schemas.validator(ref);
    }

    @Override
    public Validator validator(String ref, JsonSchemaOptions options) {
      return schemas.validator(ref, options);
    }

    @Override
    public Validator validator(JsonSchema schema, JsonSchemaOptions options, boolean dereference) {
      return schemas.validator(schema, options, dereference);
    }

    @Override
    public JsonObject resolve(JsonObject schema) {
      return schemas.resolve(schema);
    }

    @Override
    public JsonSchema find(String pointer) {
      return schemas.find(pointer);
    }
  }
}
