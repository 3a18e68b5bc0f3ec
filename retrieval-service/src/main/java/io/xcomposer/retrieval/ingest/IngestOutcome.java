package io.xcomposer.retrieval.ingest;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.retrieval.catalog.ImageRecord;
import org.jspecify.annotations.Nullable;

/** What happened to one item of a batch: stored (newly or already), or refused with a client error. */
public record IngestOutcome(
        @Nullable ImageRecord record,
        boolean created,
        @Nullable ApiException error) {

    static IngestOutcome stored(ImageRecord record, boolean created) {
        return new IngestOutcome(record, created, null);
    }

    static IngestOutcome failed(ApiException error) {
        return new IngestOutcome(null, false, error);
    }

    public boolean succeeded() {
        return this.error == null;
    }
}
