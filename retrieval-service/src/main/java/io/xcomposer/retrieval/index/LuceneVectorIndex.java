package io.xcomposer.retrieval.index;

import io.xcomposer.retrieval.catalog.IndexEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DoubleValuesSourceRescorer;
import org.apache.lucene.search.FullPrecisionFloatVectorSimilarityValuesSource;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.Rescorer;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.MMapDirectory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link VectorIndex} on an on-disk Lucene index: HNSW graph over {@link KnnFloatVectorField} with
 * {@link VectorSimilarityFunction#DOT_PRODUCT} (the vectors are unit length, so this is cosine), ids and tags as
 * keyword fields for filters. Each commit stores the catalog checkpoint in the commit user data; an index that
 * cannot be opened is wiped and reported as never committed, so the caller rebuilds it from the catalog.
 * <p>
 * The graph navigates by quantized vectors ({@link IndexProperties#quantization()}) and the explored candidates are
 * re-ranked by the exact dot product from the full-precision copy ({@link IndexProperties#rescore()}). Index files
 * are memory-mapped, so neither copy of the vectors lives on the Java heap. Rebuilds add documents in batches from
 * several threads and end with a force-merge; merges build each merged graph with several workers.
 */
public final class LuceneVectorIndex implements VectorIndex {

    private static final Logger logger = LoggerFactory.getLogger(LuceneVectorIndex.class);

    static final String ID = "id";

    static final String TAG = "tag";

    static final String VECTOR = "vector";

    private static final String EPOCH_KEY = "catalog.epoch";

    private static final String GENERATION_KEY = "catalog.generation";

    private final Directory directory;

    private final IndexWriter writer;

    private final SearcherManager searchers;

    private final int candidates;

    private final IndexProperties settings;

    private final @Nullable ExecutorService mergeExecutor;

    private volatile @Nullable Checkpoint lastCommit;

    private LuceneVectorIndex(
            Directory directory,
            IndexWriter writer,
            @Nullable Checkpoint lastCommit,
            int candidates,
            IndexProperties settings,
            @Nullable ExecutorService mergeExecutor)
            throws IOException {
        this.directory = directory;
        this.writer = writer;
        this.searchers = new SearcherManager(writer, null);
        this.lastCommit = lastCommit;
        this.candidates = candidates;
        this.settings = settings;
        this.mergeExecutor = mergeExecutor;
    }

    /** {@link #open(Path, int, IndexProperties)} with the default index settings. */
    public static LuceneVectorIndex open(Path path, int candidates) {
        return open(path, candidates, IndexProperties.defaults());
    }

    /**
     * Opens the index at {@code path}, creating it when missing and recreating it when unreadable.
     * @param candidates HNSW search breadth (Lucene's {@code k}, i.e. ef): searches explore at least this many
     * candidates and keep the best {@code k}; with ef = k = 10, recall on hard data falls far below 90 %
     */
    public static LuceneVectorIndex open(Path path, int candidates, IndexProperties settings) {
        try {
            Files.createDirectories(path);
            Directory directory = new MMapDirectory(path);
            Checkpoint committed = null;
            try {
                if (DirectoryReader.indexExists(directory)) {
                    committed = checkpointOf(
                            SegmentInfos.readLatestCommit(directory).getUserData());
                }
            } catch (IOException | RuntimeException unreadable) {
                // A torn or foreign index is derived data: start empty and let the catalog refill it.
                logger.warn("Vector index at {} is unreadable ({}); it will be rebuilt", path, unreadable.toString());
            }
            int mergeWorkers = settings.effectiveMergeWorkers();
            ExecutorService mergeExecutor = mergeWorkers > 1 ? Executors.newFixedThreadPool(mergeWorkers) : null;
            IndexWriterConfig config = writerConfig(settings, mergeWorkers, mergeExecutor)
                    .setOpenMode(
                            committed == null
                                    ? IndexWriterConfig.OpenMode.CREATE
                                    : IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
            return new LuceneVectorIndex(
                    directory, new IndexWriter(directory, config), committed, candidates, settings, mergeExecutor);
        } catch (IOException ex) {
            throw new UncheckedIOException("Cannot open the vector index at " + path, ex);
        }
    }

    private static IndexWriterConfig writerConfig(
            IndexProperties settings, int mergeWorkers, @Nullable ExecutorService mergeExecutor) {
        KnnVectorsFormat format = settings.quantization()
                .format(settings.maxConnections(), settings.beamWidth(), mergeWorkers, mergeExecutor);
        TieredMergePolicy mergePolicy = new TieredMergePolicy().setSegmentsPerTier(settings.segmentsPerTier());
        return new IndexWriterConfig()
                .setCodec(new Lucene104Codec() {
                    @Override
                    public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                        return format;
                    }
                })
                .setMergePolicy(mergePolicy)
                .setRAMBufferSizeMB(settings.ramBuffer().toBytes() / (1024.0 * 1024.0))
                // Only explicit commits carry a checkpoint; an unplanned close must look like a crash.
                .setCommitOnClose(false);
    }

    @Override
    public void add(IndexEntry entry) {
        run(() -> this.writer.updateDocument(new Term(ID, entry.id()), toDocument(entry)));
    }

    private static Document toDocument(IndexEntry entry) {
        Document document = new Document();
        document.add(new StringField(ID, entry.id(), Field.Store.YES));
        document.add(new KnnFloatVectorField(VECTOR, entry.vector(), VectorSimilarityFunction.DOT_PRODUCT));
        for (String tag : entry.tags()) {
            document.add(new StringField(TAG, tag, Field.Store.NO));
        }
        return document;
    }

    @Override
    public void delete(String id) {
        run(() -> this.writer.deleteDocuments(new Term(ID, id)));
    }

    @Override
    public List<IndexHit> search(float[] vector, int k, SearchFilter filter) {
        return search(vector, k, filter, this.candidates);
    }

    /** {@link #search(float[], int, SearchFilter)} exploring {@code max(k, candidates)} graph candidates. */
    public List<IndexHit> search(float[] vector, int k, SearchFilter filter, int candidates) {
        return search(vector, k, filter, candidates, this.settings.rescore());
    }

    /** The same, choosing whether the explored candidates are re-ranked by their exact dot product. */
    List<IndexHit> search(float[] vector, int k, SearchFilter filter, int candidates, boolean rescore) {
        try {
            IndexSearcher searcher = this.searchers.acquire();
            try {
                int breadth = Math.max(k, candidates);
                Query query = new KnnFloatVectorQuery(VECTOR, vector, breadth, toQuery(filter));
                TopDocs top = searcher.search(query, rescore ? breadth : k);
                // Not RescoreTopNQuery: it fails on an empty first phase (a filter that matches nothing).
                if (rescore && top.scoreDocs.length > 0) {
                    top = exactRescorer(vector).rescore(searcher, top, k);
                }
                List<IndexHit> hits = new ArrayList<>(top.scoreDocs.length);
                for (ScoreDoc scoreDoc : top.scoreDocs) {
                    String id = searcher.storedFields()
                            .document(scoreDoc.doc, Set.of(ID))
                            .get(ID);
                    // Lucene scores DOT_PRODUCT as (1 + dot) / 2; callers want the dot product itself.
                    hits.add(new IndexHit(id, 2 * scoreDoc.score - 1));
                }
                return hits;
            } finally {
                this.searchers.release(searcher);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Re-ranks by the dot product of the full-precision vectors, scored as the field scores it: (1 + dot) / 2. */
    private static Rescorer exactRescorer(float[] vector) {
        return new DoubleValuesSourceRescorer(new FullPrecisionFloatVectorSimilarityValuesSource(vector, VECTOR)) {
            @Override
            protected float combine(float firstPassScore, boolean valuePresent, double sourceValue) {
                return valuePresent ? (float) sourceValue : firstPassScore;
            }
        };
    }

    @Override
    public int size() {
        try {
            IndexSearcher searcher = this.searchers.acquire();
            try {
                return searcher.getIndexReader().numDocs();
            } finally {
                this.searchers.release(searcher);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void rebuild(Iterator<IndexEntry> entries, Checkpoint checkpoint) {
        run(this.writer::deleteAll);
        addInParallel(entries);
        if (this.settings.bulkMaxSegments() > 0) {
            run(() -> this.writer.forceMerge(this.settings.bulkMaxSegments()));
        }
        commit(checkpoint);
        refresh();
    }

    /**
     * Adds {@code entries} (distinct ids, the index just emptied) in batches from several threads: each writer thread
     * builds the graph of its own in-memory segment, so ingestion scales with cores until merging takes over.
     */
    private void addInParallel(Iterator<IndexEntry> entries) {
        int threads = this.settings.effectiveIngestThreads();
        // Bounds the batches read ahead of the writers, so a large catalog is not copied into memory.
        Semaphore inFlight = new Semaphore(2 * threads);
        List<Future<?>> pending = new ArrayList<>();
        try (ExecutorService ingest = Executors.newFixedThreadPool(threads)) {
            while (entries.hasNext()) {
                List<Document> batch = new ArrayList<>(this.settings.ingestBatchSize());
                while (entries.hasNext() && batch.size() < this.settings.ingestBatchSize()) {
                    batch.add(toDocument(entries.next()));
                }
                inFlight.acquireUninterruptibly();
                pending.add(ingest.submit(() -> {
                    try {
                        run(() -> this.writer.addDocuments(batch));
                    } finally {
                        inFlight.release();
                    }
                }));
                pending.removeIf(LuceneVectorIndex::finished);
            }
        }
        pending.forEach(LuceneVectorIndex::rethrowFailure);
    }

    private static boolean finished(Future<?> batch) {
        if (batch.isDone()) {
            rethrowFailure(batch);
            return true;
        }
        return false;
    }

    private static void rethrowFailure(Future<?> batch) {
        try {
            batch.get();
        } catch (ExecutionException ex) {
            throw ex.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while indexing", ex);
        }
    }

    @Override
    public void refresh() {
        run(this.searchers::maybeRefreshBlocking);
    }

    @Override
    public void commit(Checkpoint checkpoint) {
        this.writer.setLiveCommitData(
                Map.of(EPOCH_KEY, checkpoint.epoch(), GENERATION_KEY, String.valueOf(checkpoint.generation()))
                        .entrySet());
        run(this.writer::commit);
        this.lastCommit = checkpoint;
    }

    @Override
    public @Nullable Checkpoint lastCommit() {
        return this.lastCommit;
    }

    @Override
    public void close() throws IOException {
        this.searchers.close();
        this.writer.close();
        this.directory.close();
        if (this.mergeExecutor != null) {
            this.mergeExecutor.close();
        }
    }

    private static @Nullable Query toQuery(SearchFilter filter) {
        if (filter.isEmpty()) {
            return null;
        }
        BooleanQuery.Builder query = new BooleanQuery.Builder();
        if (filter.anyOfTags().isEmpty()) {
            query.add(new MatchAllDocsQuery(), Occur.MUST);
        } else {
            BooleanQuery.Builder anyTag = new BooleanQuery.Builder();
            filter.anyOfTags().forEach(tag -> anyTag.add(new TermQuery(new Term(TAG, tag)), Occur.SHOULD));
            query.add(anyTag.build(), Occur.FILTER);
        }
        filter.excludeIds().forEach(id -> query.add(new TermQuery(new Term(ID, id)), Occur.MUST_NOT));
        return query.build();
    }

    private static @Nullable Checkpoint checkpointOf(Map<String, String> userData) {
        String epoch = userData.get(EPOCH_KEY);
        String generation = userData.get(GENERATION_KEY);
        return epoch == null || generation == null ? null : new Checkpoint(epoch, Long.parseLong(generation));
    }

    private static void run(IoAction action) {
        try {
            action.run();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    @FunctionalInterface
    private interface IoAction {

        void run() throws IOException;
    }
}
