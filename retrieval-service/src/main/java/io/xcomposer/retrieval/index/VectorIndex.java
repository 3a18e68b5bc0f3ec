package io.xcomposer.retrieval.index;

import io.xcomposer.retrieval.catalog.IndexEntry;
import java.io.Closeable;
import java.util.Iterator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A k-NN index over L2-normalised vectors with id and tag filters: the only thing search needs from an index.
 * Implementations are derived data; the catalog stays the source of truth, and {@link #checkpoint()} tells how far
 * the durable state of the index has followed the catalog. See README.md for how Redis 8's query engine or
 * OpenSearch k-NN would implement this when one machine is no longer enough.
 * <p>
 * Not required to be thread-safe for writes: the {@link IndexSynchronizer} is its only writer. Searches may run
 * concurrently with writes.
 */
public interface VectorIndex extends Closeable {

    /** Adds or replaces the vector of {@code entry.id()}. Visible to searches after {@link #refresh()}. */
    void add(IndexEntry entry);

    /** Removes the id; a no-op when absent. */
    void delete(String id);

    /** The {@code k} nearest vectors by dot product passing the filter, best first. */
    List<IndexHit> search(float[] vector, int k, SearchFilter filter);

    /** Live vectors visible to searches. */
    int size();

    /** Replaces the whole content with {@code entries} and commits it at {@code checkpoint}. */
    void rebuild(Iterator<IndexEntry> entries, Checkpoint checkpoint);

    /** Makes earlier adds and deletes visible to searches. */
    void refresh();

    /** Makes the current content durable and records that it reflects the catalog up to {@code checkpoint}. */
    void commit(Checkpoint checkpoint);

    /** The checkpoint of the last durable commit; null when the index has never been committed (or was lost). */
    @Nullable
    Checkpoint lastCommit();
}
