package io.xcomposer.retrieval.job;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.xcomposer.common.error.ErrorResponse;
import java.util.List;

/**
 * Progress of a bulk job. Items are numbered by their position in the submitted list.
 *
 * @param status {@code running}, {@code completed} (every item done) or {@code completed_with_errors}
 * @param done items stored (newly or already present)
 * @param pendingItems indexes not processed yet; after a crash these are exactly what is missing (and resumed)
 * @param errors the failed items and why
 * @param ids gallery id of each done item, by index
 */
public record JobStatus(
        @JsonProperty("job_id") String jobId,
        String status,
        int total,
        int done,
        int failed,
        int pending,
        @JsonProperty("pending_items") List<Integer> pendingItems,
        List<ItemError> errors,
        List<DoneItem> ids) {

    public record ItemError(int index, ErrorResponse.Error error) {}

    public record DoneItem(int index, String id) {}
}
