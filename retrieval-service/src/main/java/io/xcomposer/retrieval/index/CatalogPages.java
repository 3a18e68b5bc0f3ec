package io.xcomposer.retrieval.index;

import io.xcomposer.retrieval.catalog.CatalogChange;
import io.xcomposer.retrieval.catalog.CatalogState;
import io.xcomposer.retrieval.catalog.GalleryCatalog;
import io.xcomposer.retrieval.catalog.IndexEntry;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import reactor.core.publisher.Flux;

/**
 * What the index reads of the catalog, page by page and blocking: it runs on the index's own thread, never on an
 * event loop, and a page at a time keeps a large gallery out of memory.
 */
class CatalogPages {

    static final int PAGE = 500;

    private static final Duration REDIS_TIMEOUT = Duration.ofSeconds(30);

    /** Entries read at once over the one connection (pipelined). */
    private static final int FETCH_CONCURRENCY = 32;

    private final GalleryCatalog catalog;

    CatalogPages(GalleryCatalog catalog) {
        this.catalog = catalog;
    }

    CatalogState state() {
        return this.catalog.state().block(REDIS_TIMEOUT);
    }

    /** The next page of logged changes after {@code generation}, in generation order; empty when there is none. */
    List<CatalogChange> changesAfter(long generation) {
        return this.catalog.changesAfter(generation, PAGE).collectList().block(REDIS_TIMEOUT);
    }

    /** Entries for the changed ids, in order, empty where the image no longer exists. */
    List<Optional<IndexEntry>> entries(List<CatalogChange> changes) {
        return Flux.fromIterable(changes)
                .flatMapSequential(
                        change -> this.catalog
                                .indexEntry(change.id())
                                .map(Optional::of)
                                .defaultIfEmpty(Optional.empty()),
                        FETCH_CONCURRENCY)
                .collectList()
                .block(REDIS_TIMEOUT);
    }

    /** All live entries, read a page at a time as the iterator advances (on the calling thread). */
    Iterator<IndexEntry> liveEntries() {
        return new Iterator<>() {

            private long after = 0;

            private Iterator<IndexEntry> page = List.<IndexEntry>of().iterator();

            private boolean exhausted;

            @Override
            public boolean hasNext() {
                while (!this.page.hasNext() && !this.exhausted) {
                    List<CatalogChange> ids = CatalogPages.this
                            .catalog
                            .liveAfter(this.after, PAGE)
                            .collectList()
                            .block(REDIS_TIMEOUT);
                    this.exhausted = ids.isEmpty();
                    if (!this.exhausted) {
                        this.after = ids.get(ids.size() - 1).generation();
                        this.page =
                                entries(ids).stream().flatMap(Optional::stream).iterator();
                    }
                }
                return this.page.hasNext();
            }

            @Override
            public IndexEntry next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return this.page.next();
            }
        };
    }
}
