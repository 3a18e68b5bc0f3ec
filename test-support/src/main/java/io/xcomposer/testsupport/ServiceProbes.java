package io.xcomposer.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xcomposer.testsupport.HttpProbe.Answer;
import java.time.Duration;

/**
 * The checks of a service started without one of its dependencies: live at once, not ready, refusing what needs
 * the dependency with 503 + {@code Retry-After}, and ready by itself once the dependency appears.
 */
public final class ServiceProbes {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

    private ServiceProbes() {}

    /** Liveness 200 and readiness 503 on the service at {@code url}. */
    public static void assertLiveNotReady(String url) {
        assertEquals(
                200,
                HttpProbe.get(url + "/actuator/health/liveness", CALL_TIMEOUT).status(),
                "liveness");
        Answer readiness = HttpProbe.get(url + "/actuator/health/readiness", CALL_TIMEOUT);
        assertEquals(503, readiness.status(), () -> "readiness: " + readiness.body());
    }

    /** Polls readiness until 200, for at most {@code within}; the answer's {@code took} is the time until then. */
    public static Answer awaitReady(String url, Duration within) {
        return HttpProbe.await(
                () -> HttpProbe.get(url + "/actuator/health/readiness", CALL_TIMEOUT),
                answer -> answer.status() == 200,
                within);
    }

    /** A 503 in the platform's error shape with {@code code} and a {@code Retry-After}, answered within 3 s. */
    public static void assertUnavailable(Answer answer, String code) {
        assertEquals(503, answer.status(), answer::body);
        assertNotNull(answer.header("Retry-After"), "Retry-After");
        assertTrue(answer.body().contains("\"code\":\"" + code + "\""), () -> "not " + code + ": " + answer.body());
        assertTrue(answer.took().compareTo(Duration.ofSeconds(3)) < 0, () -> "took " + answer.took());
    }
}
