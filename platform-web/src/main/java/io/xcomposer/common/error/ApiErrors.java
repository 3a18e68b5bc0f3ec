package io.xcomposer.common.error;

import io.xcomposer.common.redis.RedisFailures;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebInputException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;

/**
 * The one mapping from any failure to an {@link ApiException}: the platform's own exceptions pass through; request
 * decoding, validation and Redis failures, and those of the registered {@link ApiErrorMapper}s (image and inference
 * failures, from platform-common), get their status, type, code and a message a client can act on. Anything else is
 * a bug and becomes a 500 without internals in the message.
 */
public final class ApiErrors {

    private static final Pattern CAMEL_HUMP = Pattern.compile("([a-z0-9])([A-Z])");

    /** The mappers on the classpath, in the order of their registration files; found once. */
    private static final List<ApiErrorMapper> MAPPERS =
            ServiceLoader.load(ApiErrorMapper.class, ApiErrors.class.getClassLoader()).stream()
                    .map(ServiceLoader.Provider::get)
                    .toList();

    private ApiErrors() {}

    /** The client-facing form of {@code error}. */
    public static ApiException toApiException(Throwable error) {
        if (error instanceof ApiException api) {
            return api;
        }
        if (causedBy(error, DataBufferLimitException.class) != null) {
            return ApiException.payloadTooLarge(
                    "request_too_large", "The request body is larger than this service accepts.", null);
        }
        if (error instanceof WebExchangeBindException binding) {
            return fromBinding(binding);
        }
        if (error instanceof ServerWebInputException input) {
            return fromInput(input);
        }
        if (error instanceof ResponseStatusException status) {
            return fromStatus(status);
        }
        ApiException mapped = fromMappers(error);
        if (mapped != null) {
            return mapped;
        }
        if (RedisFailures.isUnavailable(error)) {
            return ApiException.unavailable(
                    RedisFailures.RETRY_AFTER,
                    "redis_unavailable",
                    "The service's data store is unavailable; retry later.");
        }
        return new ApiException(
                HttpStatus.INTERNAL_SERVER_ERROR,
                ApiException.SERVER_ERROR,
                "internal_error",
                "The server had an error while processing your request.",
                null);
    }

    /**
     * A request field as clients spell it: the platform's JSON is snake_case, while bean validation reports the
     * Java property ({@code maxParagraphs} becomes {@code max_paragraphs}, {@code items[0].imageBase64}
     * {@code items[0].image_base64}).
     */
    public static String jsonName(String javaPath) {
        return CAMEL_HUMP.matcher(javaPath).replaceAll("$1_$2").toLowerCase(Locale.ROOT);
    }

    /** Whether {@code error} is one the platform did not anticipate: logged at ERROR with its stack. */
    public static boolean isUnexpected(Throwable error) {
        return !(error instanceof ApiException
                || error instanceof ResponseStatusException
                || fromMappers(error) != null
                || RedisFailures.isUnavailable(error)
                || causedBy(error, DataBufferLimitException.class) != null);
    }

    private static ApiException fromBinding(WebExchangeBindException binding) {
        FieldError field = binding.getFieldError();
        if (field == null) {
            return ApiException.badRequest("invalid_request", "The request is invalid: " + binding.getReason());
        }
        String param = jsonName(field.getField());
        return ApiException.badRequest(
                "invalid_value", "Invalid '" + param + "': " + field.getDefaultMessage() + ".", param);
    }

    private static ApiException fromInput(ServerWebInputException input) {
        // Before the syntax check: Jackson reports a number too big for its field as a read exception, yet the
        // body is valid JSON and the fault is the value.
        InputCoercionException outOfRange = causedBy(input, InputCoercionException.class);
        if (outOfRange != null) {
            return outOfRange(path(outOfRange), outOfRange.getTargetType());
        }
        StreamReadException malformed = causedBy(input, StreamReadException.class);
        if (malformed != null) {
            return ApiException.badRequest(
                    "invalid_json",
                    "The request body is not valid JSON: " + malformed.getOriginalMessage() + location(malformed)
                            + ".");
        }
        MismatchedInputException mismatched = causedBy(input, MismatchedInputException.class);
        if (mismatched != null) {
            String param = path(mismatched);
            if (mismatched instanceof InvalidFormatException format && isOutOfRange(format)) {
                return outOfRange(param, format.getTargetType());
            }
            String expected = describe(mismatched.getTargetType());
            return ApiException.badRequest(
                    "invalid_type",
                    param.isEmpty()
                            ? "The request body must be " + expected + "."
                            : "Invalid type for '" + param + "': expected " + expected + ".",
                    param.isEmpty() ? null : param);
        }
        JacksonException other = causedBy(input, JacksonException.class);
        if (other != null) {
            String param = path(other);
            return ApiException.badRequest(
                    "invalid_value",
                    "Invalid request body" + (param.isEmpty() ? "" : " at '" + param + "'") + ": "
                            + other.getOriginalMessage() + ".",
                    param.isEmpty() ? null : param);
        }
        String reason = input.getReason() == null ? "The request could not be read." : input.getReason();
        return ApiException.badRequest("invalid_request", reason.endsWith(".") ? reason : reason + ".");
    }

    /** A whole number (1e12 included) that does not fit its integer field. */
    private static boolean isOutOfRange(InvalidFormatException format) {
        if (!(format.getValue() instanceof Number number) || !isIntegral(format.getTargetType())) {
            return false;
        }
        BigDecimal value = new BigDecimal(number.toString());
        if (value.stripTrailingZeros().scale() > 0) {
            return false;
        }
        boolean isLong = format.getTargetType() == Long.class || format.getTargetType() == long.class;
        BigInteger whole = value.toBigInteger();
        return whole.bitLength() > (isLong ? 63 : 31);
    }

    private static boolean isIntegral(@Nullable Class<?> type) {
        return type == Integer.class
                || type == int.class
                || type == Long.class
                || type == long.class
                || type == Short.class
                || type == short.class;
    }

    private static ApiException outOfRange(String param, @Nullable Class<?> target) {
        String range = target == Long.class || target == long.class ? "a 64-bit integer" : "a 32-bit integer";
        return ApiException.badRequest(
                "invalid_value",
                param.isEmpty()
                        ? "A number is out of range."
                        : "Invalid '" + param + "': the number is out of range (at most " + range + ").",
                param.isEmpty() ? null : param);
    }

    private static ApiException fromStatus(ResponseStatusException status) {
        if (status instanceof MethodNotAllowedException method) {
            String allowed = String.join(
                    ", ",
                    method.getSupportedMethods().stream()
                            .map(HttpMethod::name)
                            .sorted()
                            .toList());
            return new ApiException(
                    HttpStatus.METHOD_NOT_ALLOWED,
                    ApiException.INVALID_REQUEST,
                    "method_not_allowed",
                    "Method " + method.getHttpMethod() + " is not allowed here; use " + allowed + ".",
                    null);
        }
        if (status.getStatusCode().value() == HttpStatus.NOT_FOUND.value()) {
            // The framework's reason names the request URI as this service saw it: an internal address.
            return ApiException.notFound("not_found", "There is no such endpoint or object.", null);
        }
        HttpStatus resolved = HttpStatus.resolve(status.getStatusCode().value());
        HttpStatus httpStatus = resolved == null ? HttpStatus.BAD_REQUEST : resolved;
        String reason = status.getReason() == null ? httpStatus.getReasonPhrase() : status.getReason();
        String type = httpStatus.is5xxServerError() ? ApiException.SERVER_ERROR : ApiException.INVALID_REQUEST;
        String code = httpStatus.name().toLowerCase();
        return new ApiException(httpStatus, type, code, reason, null);
    }

    private static @Nullable ApiException fromMappers(Throwable error) {
        for (ApiErrorMapper mapper : MAPPERS) {
            ApiException mapped = mapper.toApiException(error);
            if (mapped != null) {
                return mapped;
            }
        }
        return null;
    }

    private static String describe(@Nullable Class<?> type) {
        if (type == null) {
            return "a different type";
        }
        if (isIntegral(type)) {
            return "an integer";
        }
        if (Number.class.isAssignableFrom(type) || (type.isPrimitive() && type != boolean.class)) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "a boolean";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        return Map.class.isAssignableFrom(type) || type.isRecord() ? "an object" : "a different type";
    }

    private static String path(JacksonException error) {
        StringBuilder path = new StringBuilder();
        List<JacksonException.Reference> references = error.getPath();
        for (JacksonException.Reference reference : references) {
            if (reference.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String location(JacksonException error) {
        if (error.getLocation() == null || error.getLocation().getLineNr() < 0) {
            return "";
        }
        return " (line " + error.getLocation().getLineNr() + ", column "
                + error.getLocation().getColumnNr() + ")";
    }

    private static <T extends Throwable> @Nullable T causedBy(Throwable error, Class<T> type) {
        for (Throwable current = error; current != null; current = current.getCause()) {
            if (type.isInstance(current)) {
                return type.cast(current);
            }
            if (current.getCause() == current) {
                break;
            }
        }
        return null;
    }
}
