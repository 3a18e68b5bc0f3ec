package io.xcomposer.retrieval.job;

import io.xcomposer.retrieval.ingest.IngestRequest;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** Bulk ingestion jobs: submit, then poll. */
@RestController
class JobController {

    private final BulkJobService jobs;

    JobController(BulkJobService jobs) {
        this.jobs = jobs;
    }

    @PostMapping("/v1/gallery/jobs")
    Mono<ResponseEntity<Map<String, Object>>> submit(@RequestBody JobRequest request) {
        return Mono.defer(() -> this.jobs.submit(request.items() == null ? List.of() : request.items()))
                .map(id -> ResponseEntity.status(HttpStatus.ACCEPTED)
                        .header("Location", "/v1/gallery/jobs/" + id)
                        .body(Map.of("job_id", id, "status", "running")));
    }

    @GetMapping("/v1/gallery/jobs/{id}")
    Mono<JobStatus> status(@PathVariable String id) {
        return this.jobs.status(id);
    }

    record JobRequest(@Nullable List<IngestRequest> items) {}
}
