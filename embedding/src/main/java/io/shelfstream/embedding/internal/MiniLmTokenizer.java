package io.shelfstream.embedding.internal;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.LibUtils;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.HashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WordPiece tokenization with sentence-transformers semantics, on the Hugging Face tokenizers
 * library through DJL.
 *
 * <p>The tokenizer.json of the bundled model asks for truncation at 128 and fixed padding to
 * 128; sentence-transformers uses 256 and no fixed padding. Both are overridden here: texts are
 * truncated to {@code maxTokens} (longest-first, so [CLS] and the trailing [SEP] stay) and never
 * padded; padding happens per sub-batch in {@link OnnxModel}.
 *
 * <p>Thread-safe: {@link #encode(String)} only reads the native tokenizer (DJL's JNI encode
 * calls the Rust {@code Tokenizer::encode_char_offsets}, which takes {@code &self}); truncation
 * and padding are configured once, before the instance is published.
 *
 * <p>DJL would otherwise reach out to the network: it "calls home" from EC2 hosts and, on hosts
 * with a CUDA GPU, downloads a CUDA build of the tokenizer library. Unless the user chose
 * otherwise (system property {@value #DJL_OFFLINE_PROPERTY} or environment variable
 * {@code DJL_OFFLINE}), {@link #load} sets {@value #DJL_OFFLINE_PROPERTY}{@code =true} so that
 * the CPU library bundled in the DJL jar is used and nothing leaves the host.
 */
public final class MiniLmTokenizer implements AutoCloseable {

    /** DJL's switch for never using the network. */
    public static final String DJL_OFFLINE_PROPERTY = "ai.djl.offline";

    /** DJL's setting for where it extracts native libraries. */
    static final String ENGINE_CACHE_DIR = "ENGINE_CACHE_DIR";

    private static final Logger LOG = LoggerFactory.getLogger(MiniLmTokenizer.class);

    /** Whether this class loader has loaded DJL's tokenizer library. */
    private static volatile boolean nativeLoaded;

    private final HuggingFaceTokenizer tokenizer;
    private final int maxTokens;

    private MiniLmTokenizer(HuggingFaceTokenizer tokenizer, int maxTokens) {
        this.tokenizer = tokenizer;
        this.maxTokens = maxTokens;
    }

    /**
     * Loads the tokenizer of a model source.
     *
     * @param source the model source
     * @param maxTokens the maximum sequence length, special tokens included
     * @return the tokenizer
     * @throws UncheckedIOException if the tokenizer JSON cannot be read
     * @throws IllegalStateException if the tokenizer cannot be configured as required
     */
    public static MiniLmTokenizer load(ModelSource source, int maxTokens) {
        keepDjlOffline();
        loadNativeLibraryForThisClassLoader();
        Map<String, String> settings = new HashMap<>();
        settings.put("addSpecialTokens", "true");
        settings.put("truncation", "longest_first");
        settings.put("padding", "false");
        settings.put("maxLength", Integer.toString(maxTokens));
        // DJL clamps maxLength to modelMaxLength (default 512); keep them equal.
        settings.put("modelMaxLength", Integer.toString(maxTokens));
        settings.put("stride", "0");
        settings.put("withOverflowingTokens", "false");
        HuggingFaceTokenizer tokenizer;
        try (InputStream json = source.openTokenizer()) {
            tokenizer = HuggingFaceTokenizer.newInstance(json, settings);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Could not read the tokenizer " + source.tokenizerIdentity(), e);
        }
        if (!"LONGEST_FIRST".equals(tokenizer.getTruncation())
                || !"DO_NOT_PAD".equals(tokenizer.getPadding())
                || tokenizer.getMaxLength() != maxTokens) {
            String actual =
                    "truncation="
                            + tokenizer.getTruncation()
                            + ", padding="
                            + tokenizer.getPadding()
                            + ", maxLength="
                            + tokenizer.getMaxLength();
            tokenizer.close();
            throw new IllegalStateException(
                    "Tokenizer "
                            + source.tokenizerIdentity()
                            + " did not accept truncation to "
                            + maxTokens
                            + " tokens without padding ("
                            + actual
                            + "); check the DJL tokenizers version");
        }
        LOG.debug(
                "Loaded tokenizer {} with truncation to {} tokens and no padding",
                source.tokenizerIdentity(),
                maxTokens);
        return new MiniLmTokenizer(tokenizer, maxTokens);
    }

    /**
     * Tokenizes a text into model input ids: [CLS], word pieces, [SEP], at most
     * {@link #maxTokens()} in all.
     *
     * @param text the text; {@code null} is treated as the empty string
     * @return the token ids
     */
    public long[] encode(String text) {
        Encoding encoding = tokenizer.encode(text == null ? "" : text);
        return encoding.getIds();
    }

    /**
     * Tokenizes a text into token strings, for tests and diagnostics.
     *
     * @param text the text; {@code null} is treated as the empty string
     * @return the tokens, [CLS] and [SEP] included
     */
    public String[] tokens(String text) {
        return tokenizer.encode(text == null ? "" : text).getTokens();
    }

    /**
     * Returns the maximum sequence length, special tokens included.
     *
     * @return the maximum
     */
    public int maxTokens() {
        return maxTokens;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    /**
     * Loads DJL's tokenizer library from a copy private to this class loader.
     *
     * <p>DJL extracts the library to a fixed path under its cache directory, and the JVM refuses to load one
     * native file into a second class loader. On a Flink session cluster every job submission gets its own
     * user-code class loader in the same TaskManager JVM, so the second job (for example, a restore from a
     * savepoint) would fail with "already loaded in another classloader". Pointing DJL's engine cache at a fresh
     * directory for the duration of the load gives each class loader its own copy; the copy is deleted once it is
     * loaded. A cache directory the user chose ({@value #ENGINE_CACHE_DIR} set) is respected as it is.
     */
    private static void loadNativeLibraryForThisClassLoader() {
        if (nativeLoaded) {
            return;
        }
        // System.class is shared by every class loader: copies of this class in other jobs wait here too.
        synchronized (System.class) {
            if (nativeLoaded) {
                return;
            }
            boolean userChose = System.getProperty(ENGINE_CACHE_DIR) != null || System.getenv(ENGINE_CACHE_DIR) != null;
            Path privateDir = null;
            try {
                if (!userChose) {
                    privateDir = Files.createTempDirectory("shelfstream-djl-");
                    System.setProperty(ENGINE_CACHE_DIR, privateDir.toString());
                }
                LibUtils.checkStatus();
                nativeLoaded = true;
            } catch (IOException e) {
                throw new UncheckedIOException("Could not create a directory for the tokenizer library", e);
            } finally {
                if (privateDir != null) {
                    System.clearProperty(ENGINE_CACHE_DIR);
                    deleteQuietly(privateDir);
                }
            }
        }
    }

    private static void deleteQuietly(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.debug("Could not delete {}", root, e);
        }
    }

    private static void keepDjlOffline() {
        if (System.getProperty(DJL_OFFLINE_PROPERTY) == null && System.getenv("DJL_OFFLINE") == null) {
            System.setProperty(DJL_OFFLINE_PROPERTY, "true");
        }
    }
}
