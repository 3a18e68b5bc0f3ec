package io.xcomposer.common.redis;

import java.time.Duration;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
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

	private RedisFailures() {
	}

	public static boolean isUnavailable(Throwable error) {
		for (Throwable current = error; current != null; current = current.getCause()) {
			if (current instanceof DataAccessResourceFailureException || current instanceof QueryTimeoutException) {
				return true;
			}
			if (current instanceof RedisException && !(current instanceof RedisCommandExecutionException)) {
				return true;
			}
			if (current.getCause() == current) {
				break;
			}
		}
		return false;
	}

}
