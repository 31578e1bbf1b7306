package io.shelfstream.job.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

import io.shelfstream.embedding.EmbedderOptions;
import io.shelfstream.embedding.MiniLmEmbedder;
import io.shelfstream.job.embed.EmbeddingAdapter;
import io.shelfstream.job.embed.EmbeddingBatchOptions;
import io.shelfstream.job.embed.EmbeddingOperator;

/**
 * {@code ./shelfstream bench embedding [--corpus FILE] [--docs N] [--seed S] [--device D] [--quantized]}: measures,
 * in one process and on the same texts, how fast three paths embed them.
 *
 * <ol type="a">
 *   <li>a bare ONNX Runtime session with naive batching: {@value NaiveOnnxBaseline#BATCH_SIZE} texts per call in
 *       input order, each call padded to its longest text ({@link NaiveOnnxBaseline});</li>
 *   <li>the {@code Embedder}, given all texts in one call (it orders them by length and cuts padded
 *       sub-batches);</li>
 *   <li>the Flink operator path: a local MiniCluster job, bounded source of the texts, {@code keyBy},
 *       {@link EmbeddingOperator} with its default batch options, discarding sink. It is timed from the moment the
 *       operator sees its first record to the moment it emits its last output, which leaves out job submission,
 *       deployment and the operator's start-up; the whole job's time is printed too.</li>
 * </ol>
 *
 * <p>It prints docs/s and tokens/s of each path, the padding efficiency (real tokens / padded tokens the model
 * processed) and the ratios b/a and c/a, and checks that (a) and (b) give the same vectors. Without
 * {@code --corpus} it embeds {@value #DEFAULT_DOCS} reproducible texts of mixed length ({@link BenchCorpus}). All
 * paths use the same model, device and intra-op thread count, and (b) and (c) share one ONNX Runtime session.
 * Ratios are what to compare across machines, not absolute figures.
 */
public final class BenchCommand {

    /** Texts embedded when no {@code --docs} is given. */
    static final int DEFAULT_DOCS = 512;

    /** Rounds of the three paths when no {@code --rounds} is given. */
    static final int DEFAULT_ROUNDS = 1;

    /** Seed of the generated corpus when no {@code --seed} is given. */
    static final long DEFAULT_SEED = 42;

    private static final String USAGE = "usage: ./shelfstream bench embedding [--corpus FILE] [--docs N] [--seed S]"
            + " [--rounds R] [--device auto|cpu|cuda|cuda:N] [--quantized]";

    /** Timings of the operator path, by run id: written by the operator's adapter, read by the command. */
    private static final Map<String, OperatorTiming> OPERATOR_TIMINGS = new ConcurrentHashMap<>();

    private BenchCommand() {
    }

    /**
     * Runs the command.
     *
     * @param args the arguments after {@code bench}
     * @param out  where the report goes
     * @param err  where errors go
     * @return 0 on success, 1 if a path failed, 2 for bad arguments
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path corpus = null;
        int docs = -1;
        long seed = DEFAULT_SEED;
        int rounds = DEFAULT_ROUNDS;
        EmbedderOptions.Builder options = EmbedderOptions.builder();
        try {
            if (args.length == 0 || !args[0].equals("embedding")) {
                throw new IllegalArgumentException(args.length == 0 ? "what to benchmark? (embedding or enrichment)"
                        : "unknown benchmark '" + args[0] + "' (known: embedding, enrichment)");
            }
            for (int i = 1; i < args.length; i++) {
                switch (args[i]) {
                    case "--corpus" -> corpus = Paths.get(value(args, ++i, "--corpus"));
                    case "--docs" -> docs = positive(value(args, ++i, "--docs"), "--docs");
                    case "--seed" -> seed = Long.parseLong(value(args, ++i, "--seed"));
                    case "--rounds" -> rounds = positive(value(args, ++i, "--rounds"), "--rounds");
                    case "--device" -> options.setDevice(value(args, ++i, "--device"));
                    case "--quantized" -> options.setQuantized(true);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
        } catch (IllegalArgumentException e) {
            err.println("bench: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        try {
            List<String> texts;
            String source;
            if (corpus != null) {
                texts = BenchCorpus.read(corpus, docs > 0 ? docs : Integer.MAX_VALUE);
                source = corpus.toString();
            } else {
                int count = docs > 0 ? docs : DEFAULT_DOCS;
                texts = BenchCorpus.generate(count, seed);
                source = "generated: seed " + seed + ", " + BenchCorpus.MIN_WORDS + "-" + BenchCorpus.MAX_WORDS
                        + " words";
            }
            if (texts.isEmpty()) {
                err.println("bench: " + corpus + " holds no texts");
                return 1;
            }
            benchmark(texts, source, options.build(), rounds, out);
            return 0;
        } catch (IllegalArgumentException | IllegalStateException | IOException e) {
            err.println("bench: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println("bench: failed: " + e);
            e.printStackTrace(err);
            return 1;
        }
    }

    private static void benchmark(List<String> texts, String source, EmbedderOptions options, int rounds,
            PrintStream out) throws Exception {
        EmbeddingBatchOptions batchOptions = EmbeddingBatchOptions.defaults();
        int threads = options.intraOpThreads() > 0 ? options.intraOpThreads()
                : Runtime.getRuntime().availableProcessors();
        try (MiniLmEmbedder embedder = MiniLmEmbedder.create(options);
                NaiveOnnxBaseline bare = NaiveOnnxBaseline.load(options.isQuantized(), threads)) {
            if (!embedder.deviceInUse().equals("cpu")) {
                out.println("Note: the Embedder runs on " + embedder.deviceInUse()
                        + " but the bare baseline (a) runs on the CPU.");
            }
            int[] tokens = new int[texts.size()];
            long totalTokens = 0;
            int min = Integer.MAX_VALUE;
            int max = 0;
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = embedder.countTokens(texts.get(i));
                totalTokens += tokens[i];
                min = Math.min(min, tokens[i]);
                max = Math.max(max, tokens[i]);
            }
            out.printf("Embedding benchmark: %d texts (%s), %,d tokens (mean %.1f, min %d, max %d)%n",
                    texts.size(), source, totalTokens, (double) totalTokens / texts.size(), min, max);
            out.printf("Model %s on %s, %d intra-op threads, %d processors available, system load %.2f%n%n",
                    embedder.modelId(), embedder.deviceInUse(), threads, Runtime.getRuntime().availableProcessors(),
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

            List<String> warmUp = texts.subList(0, Math.min(texts.size(), NaiveOnnxBaseline.BATCH_SIZE));
            bare.embed(warmUp);
            embedder.embed(warmUp);

            double[] bareSeconds = new double[rounds];
            double[] embedderSeconds = new double[rounds];
            double[] operatorSeconds = new double[rounds];
            double[] jobSeconds = new double[rounds];
            float[][] bareVectors = null;
            float[][] embedderVectors = null;
            for (int round = 0; round < rounds; round++) {
                long started = System.nanoTime();
                bareVectors = bare.embed(texts);
                bareSeconds[round] = (System.nanoTime() - started) / 1e9;

                started = System.nanoTime();
                embedderVectors = embedder.embed(texts);
                embedderSeconds[round] = (System.nanoTime() - started) / 1e9;

                // the embedder stays open so that the operator shares its session instead of loading the model
                OperatorRun operator = runOperatorPath(texts, options, batchOptions);
                if (operator.outputs != texts.size()) {
                    throw new IllegalStateException("the operator path emitted " + operator.outputs
                            + " vectors for " + texts.size() + " texts");
                }
                operatorSeconds[round] = operator.embeddingSeconds;
                jobSeconds[round] = operator.jobSeconds;
            }

            long naivePadded = 0;
            for (int start = 0; start < tokens.length; start += NaiveOnnxBaseline.BATCH_SIZE) {
                int end = Math.min(tokens.length, start + NaiveOnnxBaseline.BATCH_SIZE);
                int longest = 0;
                for (int i = start; i < end; i++) {
                    longest = Math.max(longest, tokens[i]);
                }
                naivePadded += (long) longest * (end - start);
            }
            long operatorPadded = 0;
            for (int[] batch : operatorBatches(tokens, batchOptions)) {
                operatorPadded += embedder.countPaddedTokens(batch);
            }

            double a = median(bareSeconds);
            double b = median(embedderSeconds);
            double c = median(operatorSeconds);
            out.printf("%-62s %8s %8s %9s %8s %7s%n", "path", "seconds", "docs/s", "tokens/s", "padding", "vs (a)");
            row(out, "(a) bare ONNX Runtime, batches of " + NaiveOnnxBaseline.BATCH_SIZE + " in input order",
                    a, texts.size(), totalTokens, naivePadded, a);
            row(out, "(b) Embedder, all texts in one call (length-sorted sub-batches)", b, texts.size(),
                    totalTokens, embedder.countPaddedTokens(tokens), a);
            row(out, "(c) Flink: keyBy -> EmbeddingOperator (batches of " + batchOptions.maxRecords() + ")", c,
                    texts.size(), totalTokens, operatorPadded, a);
            out.printf("%nb/a = %.2f   c/a = %.2f%s%n", a / b, a / c,
                    rounds == 1 ? "" : "   (medians of " + rounds + " rounds)");
            if (rounds > 1) {
                StringBuilder perRound = new StringBuilder("per round:");
                for (int round = 0; round < rounds; round++) {
                    perRound.append(String.format("  b/a %.2f c/a %.2f;", bareSeconds[round] / embedderSeconds[round],
                            bareSeconds[round] / operatorSeconds[round]));
                }
                out.println(perRound.substring(0, perRound.length() - 1));
            }
            out.printf("(c) is timed from the operator's first record to its last output; the whole MiniCluster job,"
                    + " start-up included, took %.1f s.%n", median(jobSeconds));
            out.printf("System load at the end: %.2f (other processes on the machine slow the paths they overlap).%n",
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            out.printf("(a) and (b) vectors: largest component difference %.1e, lowest cosine %.6f.%n",
                    maxAbsDifference(bareVectors, embedderVectors), minCosine(bareVectors, embedderVectors));
        }
    }

    private static void row(PrintStream out, String path, double seconds, int docs, long tokens, long padded,
            double baselineSeconds) {
        out.printf("%-62s %8.2f %8.1f %,9.0f %8.2f %6.2fx%n", path, seconds, docs / seconds, tokens / seconds,
                (double) tokens / padded, baselineSeconds / seconds);
    }

    /** The token counts of each batch the operator forms when texts arrive faster than it embeds them. */
    private static List<int[]> operatorBatches(int[] tokens, EmbeddingBatchOptions options) {
        List<int[]> batches = new ArrayList<>();
        int start = 0;
        long batchTokens = 0;
        for (int i = 0; i < tokens.length; i++) {
            batchTokens += tokens[i];
            if (i + 1 - start >= options.maxRecords() || batchTokens >= options.maxTokens()
                    || i == tokens.length - 1) {
                batches.add(Arrays.copyOfRange(tokens, start, i + 1));
                start = i + 1;
                batchTokens = 0;
            }
        }
        return batches;
    }

    private static OperatorRun runOperatorPath(List<String> texts, EmbedderOptions options,
            EmbeddingBatchOptions batchOptions) throws Exception {
        String run = UUID.randomUUID().toString();
        OperatorTiming timing = new OperatorTiming();
        OPERATOR_TIMINGS.put(run, timing);
        try {
            List<BenchDoc> docs = new ArrayList<>(texts.size());
            for (int i = 0; i < texts.size(); i++) {
                docs.add(new BenchDoc("doc-" + i, texts.get(i)));
            }
            TimedAdapter adapter = new TimedAdapter(run);
            Configuration conf = new Configuration();
            conf.set(RestOptions.BIND_PORT, "0");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
            env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
            env.fromData(docs, TypeInformation.of(BenchDoc.class))
                    .name("Corpus")
                    .keyBy(adapter.keySelector())
                    .transform("Embed", TypeInformation.of(EmbeddedText.class),
                            EmbeddingOperator.<BenchDoc, EmbeddedText>builder()
                                    .setAdapter(adapter)
                                    .setEmbedderOptions(options)
                                    .setBatchOptions(batchOptions)
                                    .build())
                    .sinkTo(new DiscardingSink<>())
                    .name("Discard");
            long started = System.nanoTime();
            env.execute("shelfstream bench embedding");
            double jobSeconds = (System.nanoTime() - started) / 1e9;
            return new OperatorRun((timing.lastOutput.get() - timing.firstInput.get()) / 1e9, jobSeconds,
                    timing.outputs.get());
        } finally {
            OPERATOR_TIMINGS.remove(run);
        }
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    private static int positive(String text, String option) {
        try {
            int value = Integer.parseInt(text);
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " needs a positive whole number, got '" + text + "'");
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static double minCosine(float[][] a, float[][] b) {
        double min = 1;
        for (int i = 0; i < a.length; i++) {
            double dot = 0;
            for (int d = 0; d < a[i].length; d++) {
                dot += (double) a[i][d] * b[i][d];
            }
            min = Math.min(min, dot); // both unit length
        }
        return min;
    }

    private static double maxAbsDifference(float[][] a, float[][] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            for (int d = 0; d < a[i].length; d++) {
                max = Math.max(max, Math.abs(a[i][d] - b[i][d]));
            }
        }
        return max;
    }

    /**
     * A text of the benchmark corpus, as the operator path's input.
     *
     * @param id   its key
     * @param text the text
     */
    public record BenchDoc(String id, String text) {
    }

    /**
     * The operator path's output.
     *
     * @param id     the text's key
     * @param vector its vector
     */
    public record EmbeddedText(String id, float[] vector) {
    }

    private record OperatorRun(double embeddingSeconds, double jobSeconds, long outputs) {
    }

    /** When the operator saw its first record and emitted its last output. */
    private static final class OperatorTiming {
        final AtomicLong firstInput = new AtomicLong();
        final AtomicLong lastOutput = new AtomicLong();
        final AtomicLong outputs = new AtomicLong();
    }

    /** Embeds a {@link BenchDoc}'s text and notes the times the benchmark reports. */
    private static final class TimedAdapter implements EmbeddingAdapter<BenchDoc, EmbeddedText> {

        private static final long serialVersionUID = 1L;

        private final String run;

        TimedAdapter(String run) {
            this.run = run;
        }

        @Override
        public String key(BenchDoc doc) {
            return doc.id();
        }

        @Override
        public String text(BenchDoc doc) {
            OPERATOR_TIMINGS.get(run).firstInput.compareAndSet(0, System.nanoTime());
            return doc.text();
        }

        @Override
        public EmbeddedText embedded(BenchDoc doc, float[] vector, String contentHash, String modelId) {
            OperatorTiming timing = OPERATOR_TIMINGS.get(run);
            timing.lastOutput.set(System.nanoTime());
            timing.outputs.incrementAndGet();
            return new EmbeddedText(doc.id(), vector);
        }

        @Override
        public void passThrough(BenchDoc doc, PassThroughContext<EmbeddedText> context) {
            // every benchmark record has text
        }
    }
}
