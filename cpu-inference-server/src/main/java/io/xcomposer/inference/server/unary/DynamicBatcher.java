package io.xcomposer.inference.server.unary;

import io.xcomposer.inference.client.tensor.Tensor;
import io.xcomposer.inference.server.InferenceException;
import io.xcomposer.inference.server.metrics.InferenceMetrics;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Triton-style dynamic batching for one model: requests whose graph inputs have the same per-row shapes are
 * concatenated along the batch dimension, up to {@code max_batch_size} rows or until
 * {@code max_queue_delay_microseconds} has passed since the first of them, run once, and the outputs are split
 * back by rows. One thread per model executes batches, like a single Triton model instance.
 */
final class DynamicBatcher implements AutoCloseable {

    private record Pending(
            Map<String, Tensor> inputs,
            long rows,
            String shapeKey,
            long enqueuedNanos,
            CompletableFuture<Execution> result) {}

    private final UnaryModel model;
    private final InferenceMetrics metrics;
    private final long maxDelayNanos;
    private final int maxRows;
    private final BlockingQueue<Pending> queue;
    private final Thread worker;
    /** A request that did not fit the previous batch; it starts the next one. */
    private @Nullable Pending carriedOver;

    DynamicBatcher(UnaryModel model, InferenceMetrics metrics, int maxQueued) {
        this.model = model;
        this.metrics = metrics;
        this.maxDelayNanos = TimeUnit.MICROSECONDS.toNanos(
                model.config().getDynamicBatching().getMaxQueueDelayMicroseconds());
        this.maxRows = model.config().getMaxBatchSize();
        this.queue = new LinkedBlockingQueue<>(maxQueued);
        this.worker = new Thread(this::loop, "batcher-" + model.config().getName());
        worker.setDaemon(true);
        worker.start();
    }

    CompletableFuture<Execution> submit(Map<String, Tensor> graphInputs, long rows) {
        CompletableFuture<Execution> result = new CompletableFuture<>();
        Pending pending = new Pending(graphInputs, rows, shapeKey(graphInputs), System.nanoTime(), result);
        if (!queue.offer(pending)) {
            throw InferenceException.unavailable(
                    "model '" + model.config().getName() + "' has " + queue.size() + " requests queued; retry later");
        }
        return result;
    }

    @Override
    public void close() {
        worker.interrupt();
    }

    private void loop() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                execute(collectBatch());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queue.forEach(pending ->
                pending.result().completeExceptionally(InferenceException.unavailable("server is shutting down")));
    }

    /** Takes the first request, then adds compatible ones until the batch is full or the delay has passed. */
    private List<Pending> collectBatch() throws InterruptedException {
        Pending first = carriedOver != null ? carriedOver : queue.take();
        carriedOver = null;
        List<Pending> batch = new ArrayList<>(List.of(first));
        long rows = first.rows();
        long deadline = first.enqueuedNanos() + maxDelayNanos;
        while (rows < maxRows) {
            Pending next = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (next == null) {
                break;
            }
            if (!next.shapeKey().equals(first.shapeKey()) || rows + next.rows() > maxRows) {
                carriedOver = next;
                break;
            }
            batch.add(next);
            rows += next.rows();
        }
        return batch;
    }

    private void execute(List<Pending> batch) {
        long start = System.nanoTime();
        try {
            long rows = batch.stream().mapToLong(Pending::rows).sum();
            List<Tensor> outputs = model.run(concatenate(batch, rows), model.allOutputNames());
            long computeNanos = System.nanoTime() - start;
            metrics.executed(model.config().getName(), model.version());
            long rowOffset = 0;
            for (Pending pending : batch) {
                List<Tensor> own = slice(outputs, rows, rowOffset, pending.rows());
                pending.result().complete(new Execution(own, start - pending.enqueuedNanos(), computeNanos));
                rowOffset += pending.rows();
            }
        } catch (Exception e) {
            batch.forEach(pending -> pending.result().completeExceptionally(e));
        }
    }

    private static Map<String, Tensor> concatenate(List<Pending> batch, long rows) {
        if (batch.size() == 1) {
            return batch.get(0).inputs();
        }
        Map<String, Tensor> merged = new TreeMap<>();
        for (String name : batch.get(0).inputs().keySet()) {
            Tensor first = batch.get(0).inputs().get(name);
            long[] shape = first.shape();
            shape[0] = rows;
            int bytes = batch.stream()
                    .mapToInt(pending -> pending.inputs().get(name).data().remaining())
                    .sum();
            ByteBuffer data = ByteBuffer.allocate(bytes);
            batch.forEach(pending -> data.put(pending.inputs().get(name).data()));
            merged.put(name, new Tensor(name, first.datatype(), shape, data.flip()));
        }
        return merged;
    }

    private static List<Tensor> slice(List<Tensor> outputs, long totalRows, long rowOffset, long rows) {
        if (rowOffset == 0 && rows == totalRows) {
            return outputs;
        }
        return outputs.stream()
                .map(output -> {
                    ByteBuffer data = output.data();
                    int rowBytes = (int) (data.remaining() / totalRows);
                    long[] shape = output.shape();
                    shape[0] = rows;
                    ByteBuffer own =
                            data.position((int) rowOffset * rowBytes).limit((int) (rowOffset + rows) * rowBytes);
                    return new Tensor(output.name(), output.datatype(), shape, own);
                })
                .toList();
    }

    /** Requests can share a batch only if every graph input has the same type and per-row shape. */
    private static String shapeKey(Map<String, Tensor> inputs) {
        StringBuilder key = new StringBuilder();
        new TreeMap<>(inputs)
                .forEach((name, tensor) -> key.append(name)
                        .append(':')
                        .append(tensor.datatype())
                        .append(Arrays.toString(Arrays.copyOfRange(tensor.shape(), 1, tensor.shape().length)))
                        .append(';'));
        return key.toString();
    }
}
