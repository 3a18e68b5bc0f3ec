package io.xcomposer.retrieval.job;

import io.xcomposer.common.error.ErrorResponse;
import io.xcomposer.retrieval.ingest.IngestOutcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/** How a bulk job's item outcomes are recorded in Redis, and the {@link JobStatus} read back from them. */
final class JobResults {

    private static final int MAX_PENDING_LISTED = 1000;

    private final JsonMapper json;

    JobResults(JsonMapper json) {
        this.json = json;
    }

    /** The JSON recorded for one item's outcome. */
    String encode(IngestOutcome outcome) {
        Map<String, Object> value = new HashMap<>();
        if (outcome.succeeded()) {
            value.put("status", outcome.created() ? "created" : "exists");
            value.put("id", outcome.record().id());
        } else {
            value.put("status", "failed");
            value.put("error", outcome.error().toResponse().error());
        }
        return this.json.writeValueAsString(value);
    }

    /** The job's progress from its header hash and its recorded outcomes (index → {@link #encode} JSON). */
    JobStatus status(String id, Map<Object, Object> header, Map<Object, Object> results) {
        int total = Integer.parseInt(header.get("total").toString());
        List<JobStatus.ItemError> errors = new ArrayList<>();
        List<JobStatus.DoneItem> done = new ArrayList<>();
        for (Map.Entry<Object, Object> entry : results.entrySet()) {
            int index = Integer.parseInt(entry.getKey().toString());
            Map<?, ?> outcome = this.json.readValue(entry.getValue().toString(), Map.class);
            if ("failed".equals(outcome.get("status"))) {
                errors.add(new JobStatus.ItemError(
                        index, this.json.convertValue(outcome.get("error"), ErrorResponse.Error.class)));
            } else {
                done.add(new JobStatus.DoneItem(index, outcome.get("id").toString()));
            }
        }
        errors.sort((a, b) -> Integer.compare(a.index(), b.index()));
        done.sort((a, b) -> Integer.compare(a.index(), b.index()));
        List<Integer> pending = new ArrayList<>();
        for (int i = 0; i < total && pending.size() < MAX_PENDING_LISTED; i++) {
            if (!results.containsKey(String.valueOf(i))) {
                pending.add(i);
            }
        }
        return new JobStatus(
                id,
                header.get("status").toString(),
                total,
                done.size(),
                errors.size(),
                total - done.size() - errors.size(),
                pending,
                errors,
                done);
    }
}
