package io.xcomposer.retrieval.seed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.xcomposer.retrieval.config.RetrievalProperties;
import io.xcomposer.retrieval.ingest.Candidate;
import io.xcomposer.retrieval.ingest.ImageAttributes;
import io.xcomposer.retrieval.ingest.IngestOutcome;
import io.xcomposer.retrieval.ingest.IngestionService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Ingests a synthetic gallery ({@code model-repository/tiny/eval/gallery.jsonl}: one line per PNG with English and
 * Chinese captions and the scene's objects) when {@code xcomposer.retrieval.seed-gallery} names one. Idempotent:
 * images already stored are recognised by their bytes and skipped, so every start may seed again.
 * <p>
 * Caption: {@code caption_en}; tags: the colours, shapes and sizes in the scene; metadata: {@code caption_zh},
 * {@code gallery_id}, {@code source}.
 */
@Component
public class GallerySeeder implements ApplicationRunner {

	private static final Logger logger = LoggerFactory.getLogger(GallerySeeder.class);

	private static final int CHUNK = 32;

	private final IngestionService ingestion;

	private final RetrievalProperties properties;

	private final JsonMapper json;

	public GallerySeeder(IngestionService ingestion, RetrievalProperties properties, JsonMapper json) {
		this.ingestion = ingestion;
		this.properties = properties;
		this.json = json;
	}

	@Override
	public void run(ApplicationArguments args) {
		Path gallery = this.properties.seedGallery();
		if (gallery != null && !gallery.toString().isBlank()) {
			SeedReport report = seed(gallery);
			logger.info("Seeded the gallery from {}: {} created, {} already present, {} failed", gallery,
					report.created(), report.existing(), report.failed());
		}
	}

	/** Ingests every line of {@code galleryJsonl}; blocks until done. */
	public SeedReport seed(Path galleryJsonl) {
		List<String> lines = readLines(galleryJsonl);
		Path base = galleryJsonl.toAbsolutePath().getParent();
		int created = 0;
		int existing = 0;
		int failed = 0;
		for (int start = 0; start < lines.size(); start += CHUNK) {
			List<Mono<Candidate>> chunk = new ArrayList<>();
			for (String line : lines.subList(start, Math.min(lines.size(), start + CHUNK))) {
				chunk.add(Mono.fromCallable(() -> candidate(this.json.readTree(line), base)));
			}
			for (IngestOutcome outcome : this.ingestion.ingestAll(chunk).block(Duration.ofMinutes(5))) {
				if (!outcome.succeeded()) {
					failed++;
					logger.warn("Seeding an image failed: {}", outcome.error().getMessage());
				}
				else if (outcome.created()) {
					created++;
				}
				else {
					existing++;
				}
			}
		}
		return new SeedReport(created, existing, failed);
	}

	private Candidate candidate(JsonNode line, Path base) throws IOException {
		byte[] bytes = Files.readAllBytes(base.resolve(line.get("image").asString()));
		Set<String> tags = new LinkedHashSet<>();
		for (JsonNode object : line.path("truth").path("objects")) {
			tags.add(object.path("colour").asString());
			tags.add(object.path("shape").asString());
			tags.add(object.path("size").asString());
		}
		tags.removeIf(String::isEmpty);
		Map<String, Object> metadata = new LinkedHashMap<>();
		metadata.put("caption_zh", line.path("caption_zh").asString());
		metadata.put("gallery_id", line.path("id").asInt());
		metadata.put("source", "tiny-gallery");
		return new Candidate(bytes, ImageAttributes.of(line.path("caption_en").asString(), List.copyOf(tags),
				metadata));
	}

	private static List<String> readLines(Path file) {
		try {
			return Files.readAllLines(file).stream().filter(line -> !line.isBlank()).toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read the seed gallery " + file, ex);
		}
	}

	/** Counts of one seeding run. */
	public record SeedReport(int created, int existing, int failed) {
	}

}
