package io.xcomposer.retrieval.index;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Seeded vectors shaped like embeddings: a Gaussian mixture in a low-dimensional latent space, lifted into
 * {@code dim} dimensions by a fixed random non-linear map ({@code tanh(W z)}), plus a little isotropic noise, then
 * L2-normalised. So the points lie near a curved low-dimensional manifold in clusters, as real embeddings do, rather
 * than spread uniformly over the sphere (HNSW's worst case). Vector {@code i} depends only on the seed and {@code i},
 * so any range can be generated in parallel and reproduced.
 */
final class ClusteredVectors {

    private final long seed;

    private final int dim;

    private final int latentDim;

    private final double spread;

    private final double noise;

    private final float[][] centres;

    private final float[][] lift;

    /**
     * @param clusters mixture components (equal weights)
     * @param latentDim dimension of the manifold
     * @param spread standard deviation of a cluster in latent units (the centres are standard normal)
     * @param noise standard deviation of the isotropic noise per output dimension, relative to the signal's
     */
    ClusteredVectors(long seed, int dim, int clusters, int latentDim, double spread, double noise) {
        this.seed = seed;
        this.dim = dim;
        this.latentDim = latentDim;
        this.spread = spread;
        this.noise = noise;
        SplittableRandom random = new SplittableRandom(seed);
        this.centres = gaussianMatrix(random, clusters, latentDim, 1);
        this.lift = gaussianMatrix(random, dim, latentDim, 1 / Math.sqrt(latentDim));
    }

    /** The defaults of the benchmark and the tests: 24-d manifold, 1 000 clusters. */
    static ClusteredVectors embeddingLike(long seed, int dim) {
        return new ClusteredVectors(seed, dim, 1000, 24, 0.35, 0.25);
    }

    int dim() {
        return this.dim;
    }

    /** Vectors {@code from} to {@code from + count - 1}, generated in parallel. */
    float[][] generate(long from, int count) {
        float[][] out = new float[count][];
        IntStream.range(0, count).parallel().forEach(i -> out[i] = vector(from + i));
        return out;
    }

    private float[] vector(long index) {
        float[] out = new float[this.dim];
        SplittableRandom random = new SplittableRandom(this.seed * 0x9E3779B97F4A7C15L + index);
        float[] centre = this.centres[random.nextInt(this.centres.length)];
        double[] latent = new double[this.latentDim];
        for (int j = 0; j < this.latentDim; j++) {
            latent[j] = centre[j] + this.spread * random.nextGaussian();
        }
        double norm = 0;
        for (int d = 0; d < this.dim; d++) {
            float[] row = this.lift[d];
            double dot = 0;
            for (int j = 0; j < this.latentDim; j++) {
                dot += row[j] * latent[j];
            }
            double value = Math.tanh(dot) + this.noise * random.nextGaussian();
            out[d] = (float) value;
            norm += value * value;
        }
        float scale = (float) (1 / Math.sqrt(norm));
        for (int d = 0; d < this.dim; d++) {
            out[d] *= scale;
        }
        return out;
    }

    private static float[][] gaussianMatrix(SplittableRandom random, int rows, int columns, double scale) {
        float[][] matrix = new float[rows][columns];
        for (float[] row : matrix) {
            for (int j = 0; j < columns; j++) {
                row[j] = (float) (scale * random.nextGaussian());
            }
        }
        return matrix;
    }
}
