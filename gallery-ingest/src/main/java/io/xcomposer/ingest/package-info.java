/**
 * {@code scripts/ingest-folder}: a folder of images into the gallery through the public API (gateway URL + API
 * key), resumable through a state file, idempotent by content hash, with bounded concurrency and a progress bar.
 */
@NullMarked
package io.xcomposer.ingest;

import org.jspecify.annotations.NullMarked;
