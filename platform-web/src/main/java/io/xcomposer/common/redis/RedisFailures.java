package io.xcomposer.common.redis;

import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisLoadingException;
import io.lettuce.core.RedisReadOnlyException;
import java.time.Duration;
import java.util.List;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;

/**
 * Recognises "Redis is unreachable" among failures: a refused or lost connection, a command rejected while
 * disconnected, a command timeout. A command Redis answered with an error (wrong type, script error) is a bug, not
 * an outage, and is not one of these.
 */
public final class RedisFailures {

    /** Sent as {@code Retry-After} while Redis is unavailable: a command timeout, the longest a probe waits. */
    public static final Duration RETRY_AFTER = Duration.ofSeconds(2);

    private RedisFailures() {}

    private static boolean isTransient(RedisCommandExecutionException refused) {
        if (refused instanceof RedisLoadingException
                || refused instanceof RedisBusyException
                || refused instanceof RedisReadOnlyException) {
            return true;
        }
        String reply = refused.getMessage() == null ? "" : refused.getMessage();
        return TRANSIENT_REPLIES.stream().anyMatch(reply::startsWith);
    }

    /**
     * Replies that mean "not now" rather than "wrong command": a restarted Redis still loading its AOF, a busy
     * script, a replica not yet promoted, a cluster re-sharding.
     */
    private static final List<String> TRANSIENT_REPLIES =
            List.of("LOADING", "BUSY", "READONLY", "CLUSTERDOWN", "MASTERDOWN", "TRYAGAIN");

    /**
     * Whether {@code error} means Redis cannot serve right now (unreachable, timed out, or answering with a
     * transient refusal such as {@code -LOADING}); other error replies are bugs of ours.
     */
    public static boolean isUnavailable(Throwable error) {
        for (Throwable current = error; current != null; current = current.getCause()) {
            if (current instanceof DataAccessResourceFailureException || current instanceof QueryTimeoutException) {
                return true;
            }
            if (current instanceof RedisException && !(current instanceof RedisCommandExecutionException)) {
                return true;
            }
            if (current instanceof RedisCommandExecutionException refused && isTransient(refused)) {
                return true;
            }
            if (current.getCause() == current) {
                break;
            }
        }
        return false;
    }
}
