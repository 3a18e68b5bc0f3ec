/** Asynchronous bulk ingestion jobs that survive restarts. */
@NullMarked
package io.xcomposer.retrieval.job;

import org.jspecify.annotations.NullMarked;
