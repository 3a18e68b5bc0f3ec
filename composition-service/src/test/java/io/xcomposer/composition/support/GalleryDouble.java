package io.xcomposer.composition.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.xcomposer.inference.client.InferRequest;
import io.xcomposer.inference.client.TritonClient;
import io.xcomposer.inference.client.image.ImageLimits;
import io.xcomposer.inference.client.image.ImagePreprocessor;
import io.xcomposer.inference.client.model.EmbedderSpec;
import io.xcomposer.inference.client.tensor.Tensor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real HTTP stand-in for retrieval-service on loopback, until that service can run in-process here: it serves
 * {@code POST /v1/gallery/search} and {@code GET /v1/gallery/images/{id}/content} over the tiny gallery
 * (model-repository/tiny/eval/gallery.jsonl), ranking images by the real CPU server's {@code text_embedder} ·
 * {@code image_embedder} (cosine), honouring {@code exclude} and {@code top_k}. Tests can make one search fail.
 */
public final class GalleryDouble implements AutoCloseable {

	private static final int BATCH = 64;

	private final HttpServer server;

	private final TritonClient triton;

	private final JsonMapper json = JsonMapper.builder().build();

	private final Map<String, GalleryImage> images;

	private final Map<String, float[]> embeddings = new ConcurrentHashMap<>();

	private final AtomicInteger searches = new AtomicInteger();

	private final Set<Integer> failingSearches = ConcurrentHashMap.newKeySet();

	/** A gallery entry with the truth it was rendered from. */
	public record GalleryImage(String id, Path file, String captionEn, String captionZh, List<SceneObject> objects) {
	}

	private GalleryDouble(Path gallery, TritonClient triton) throws IOException {
		this.triton = triton;
		this.images = load(gallery);
		embedImages();
		this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
		this.server.setExecutor(Executors.newFixedThreadPool(4));
		this.server.createContext("/v1/gallery/search", this::search);
		this.server.createContext("/v1/gallery/images/", this::content);
		this.server.start();
	}

	public static GalleryDouble start(Path gallery, TritonClient triton) {
		try {
			return new GalleryDouble(gallery, triton);
		}
		catch (IOException e) {
			throw new IllegalStateException(e);
		}
	}

	public String baseUrl() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort();
	}

	public GalleryImage image(String id) {
		return this.images.get(id);
	}

	public java.util.Collection<GalleryImage> images() {
		return this.images.values();
	}

	public int searches() {
		return this.searches.get();
	}

	/** Makes the {@code n}-th search from now (1 = the next) answer 500. */
	public void failSearch(int n) {
		this.failingSearches.add(this.searches.get() + n);
	}

	private void search(HttpExchange exchange) throws IOException {
		int number = this.searches.incrementAndGet();
		JsonNode request = this.json.readTree(exchange.getRequestBody().readAllBytes());
		if (this.failingSearches.remove(number)) {
			respond(exchange, 500, "application/json",
					"{\"error\":{\"message\":\"injected failure\",\"type\":\"server_error\"}}".getBytes());
			return;
		}
		String text = request.get("text").asString();
		int topK = request.has("top_k") ? request.get("top_k").asInt() : 4;
		Set<String> exclude = new HashSet<>();
		request.path("exclude").forEach(id -> exclude.add(id.asString()));
		float[] query = embedText(text);
		List<Map<String, Object>> results = new ArrayList<>();
		this.images.values()
			.stream()
			.filter(image -> !exclude.contains(image.id()))
			.map(image -> Map.entry(image, dot(query, this.embeddings.get(image.id()))))
			.sorted(Map.Entry.<GalleryImage, Double>comparingByValue(Comparator.reverseOrder()))
			.limit(topK)
			.forEach(hit -> {
				Map<String, Object> result = new LinkedHashMap<>();
				result.put("id", hit.getKey().id());
				result.put("score", hit.getValue());
				result.put("caption", hit.getKey().captionEn());
				result.put("tags", List.of());
				result.put("url", "/v1/gallery/images/" + hit.getKey().id() + "/content");
				results.add(result);
			});
		respond(exchange, 200, "application/json", this.json.writeValueAsBytes(Map.of("results", results)));
	}

	private void content(HttpExchange exchange) throws IOException {
		String[] parts = exchange.getRequestURI().getPath().split("/");
		GalleryImage image = parts.length == 6 ? this.images.get(parts[4]) : null;
		if (image == null) {
			respond(exchange, 404, "application/json", "{\"error\":{\"message\":\"no such image\"}}".getBytes());
			return;
		}
		respond(exchange, 200, "image/png", Files.readAllBytes(image.file()));
	}

	private static void respond(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
		try (InputStream ignored = exchange.getRequestBody(); OutputStream out = exchange.getResponseBody()) {
			exchange.getResponseHeaders().set("Content-Type", type);
			exchange.sendResponseHeaders(status, body.length);
			out.write(body);
		}
	}

	private Map<String, GalleryImage> load(Path gallery) throws IOException {
		Map<String, GalleryImage> loaded = new LinkedHashMap<>();
		Path folder = gallery.getParent();
		for (String line : Files.readAllLines(gallery, StandardCharsets.UTF_8)) {
			if (line.isBlank()) {
				continue;
			}
			JsonNode entry = this.json.readTree(line);
			List<SceneObject> objects = new ArrayList<>();
			entry.path("truth").path("objects").forEach(object -> objects.add(new SceneObject(
					object.get("size").asString(), object.get("colour").asString(), object.get("shape").asString(),
					object.get("cell").asInt())));
			String id = entry.get("id").asString();
			loaded.put(id, new GalleryImage(id, folder.resolve(entry.get("image").asString()),
					entry.get("caption_en").asString(), entry.get("caption_zh").asString(), List.copyOf(objects)));
		}
		return loaded;
	}

	private void embedImages() {
		EmbedderSpec spec = EmbedderSpec.fromConfig(this.triton.modelConfig("image_embedder").block(Duration.ofSeconds(30)));
		ImagePreprocessor preprocessor = new ImagePreprocessor(spec.vision(), ImageLimits.defaults());
		List<GalleryImage> all = List.copyOf(this.images.values());
		int size = spec.vision().imageSize();
		for (int from = 0; from < all.size(); from += BATCH) {
			List<GalleryImage> batch = all.subList(from, Math.min(all.size(), from + BATCH));
			float[] pixels = new float[batch.size() * 3 * size * size];
			for (int i = 0; i < batch.size(); i++) {
				try {
					float[] one = preprocessor.preprocess(Files.readAllBytes(batch.get(i).file())).pixels();
					System.arraycopy(one, 0, pixels, i * one.length, one.length);
				}
				catch (IOException e) {
					throw new IllegalStateException(e);
				}
			}
			Tensor input = Tensor.fp32("pixel_values", new long[] { batch.size(), 3, size, size }, pixels);
			float[] out = this.triton.infer(InferRequest.of("image_embedder", List.of(input)))
				.block(Duration.ofSeconds(60))
				.output("embedding")
				.asFloats();
			int dim = out.length / batch.size();
			for (int i = 0; i < batch.size(); i++) {
				float[] vector = new float[dim];
				System.arraycopy(out, i * dim, vector, 0, dim);
				this.embeddings.put(batch.get(i).id(), vector);
			}
		}
	}

	private float[] embedText(String text) {
		Tensor input = Tensor.strings("text", new long[] { 1, 1 }, List.of(text));
		return this.triton.infer(InferRequest.of("text_embedder", List.of(input)))
			.block(Duration.ofSeconds(30))
			.output("embedding")
			.asFloats();
	}

	private static double dot(float[] a, float[] b) {
		double sum = 0;
		for (int i = 0; i < a.length; i++) {
			sum += a[i] * b[i];
		}
		return sum;
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

}
