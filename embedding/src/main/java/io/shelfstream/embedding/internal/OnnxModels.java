package io.shelfstream.embedding.internal;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;

import io.shelfstream.embedding.Device;

import java.io.IOException;
import java.util.Collections;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens shared {@link OnnxModel} sessions: one per JVM and {@link ModelKey}, created on a
 * large-stack thread, closed when the last user lets go.
 *
 * <p>Device handling: {@code cpu} uses the CPU execution provider; {@code cuda:N} adds the CUDA
 * provider and fails with an {@link IllegalStateException} that names the {@code -Pgpu} build
 * and the CUDA libraries when that is impossible; {@code auto} tries {@code cuda:0} and falls
 * back to the CPU with a warning.
 */
public final class OnnxModels {

    private static final Logger LOG = LoggerFactory.getLogger(OnnxModels.class);

    private static final ReferenceCountedRegistry<ModelKey, OnnxModel> SHARED =
            new ReferenceCountedRegistry<>();

    private static final String INIT_THREAD = "shelfstream-onnxruntime-init";

    // the providers are fixed by the native library, so they are looked up once per JVM
    private static volatile Set<OrtProvider> providers;

    private OnnxModels() {}

    /**
     * Returns the JVM-wide registry of sessions.
     *
     * @return the shared registry
     */
    public static ReferenceCountedRegistry<ModelKey, OnnxModel> sharedRegistry() {
        return SHARED;
    }

    /**
     * Resolves {@code intraOpThreads} 0 to the processors available to this JVM.
     *
     * @param configured the configured count, 0 for automatic
     * @return a positive thread count
     */
    public static int resolveIntraOpThreads(int configured) {
        return configured > 0 ? configured : Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /**
     * Returns the execution providers the ONNX Runtime on the class path was built with.
     *
     * @return the providers, e.g. {@code [CPU]} or {@code [CPU, CUDA]}
     */
    public static Set<OrtProvider> availableProviders() {
        Set<OrtProvider> known = providers;
        if (known == null) {
            known =
                    Collections.unmodifiableSet(
                            LargeStackThreads.call(
                                    INIT_THREAD, OrtEnvironment::getAvailableProviders, p -> {}));
            providers = known;
        }
        return known;
    }

    /**
     * Acquires a lease on the session for a model on a device, creating the session if needed.
     *
     * @param registry where sessions are shared
     * @param source the model
     * @param device the requested device, {@code auto} included
     * @param intraOpThreads the configured intra-op threads, 0 for automatic
     * @return the lease; {@link OnnxModel#device()} tells the device actually used
     * @throws IllegalStateException if an explicit CUDA device is unavailable or the model cannot
     *     be loaded
     */
    public static ReferenceCountedRegistry.Lease<ModelKey, OnnxModel> acquire(
            ReferenceCountedRegistry<ModelKey, OnnxModel> registry,
            ModelSource source,
            Device device,
            int intraOpThreads) {
        int threads = resolveIntraOpThreads(intraOpThreads);
        if (device.isCuda()) {
            requireCudaProvider(device);
            return acquire(registry, source, device.toString(), device.gpuIndex(), threads);
        }
        if (device.isAuto()) {
            Set<OrtProvider> providers = availableProviders();
            if (!providers.contains(OrtProvider.CUDA)) {
                LOG.warn(
                        "Embedding device auto: this ONNX Runtime has no CUDA execution provider"
                                + " (available: {}); running {} on the CPU. Build with the Maven"
                                + " profile -Pgpu and install the CUDA libraries to use a GPU.",
                        providers,
                        source.modelId());
            } else {
                try {
                    return acquire(registry, source, Device.cuda(0).toString(), 0, threads);
                } catch (IllegalStateException e) {
                    LOG.warn(
                            "Embedding device auto: CUDA is not usable ({}); running {} on the"
                                    + " CPU.",
                            e.getMessage(),
                            source.modelId());
                }
            }
        }
        return acquire(registry, source, Device.CPU.toString(), -1, threads);
    }

    private static ReferenceCountedRegistry.Lease<ModelKey, OnnxModel> acquire(
            ReferenceCountedRegistry<ModelKey, OnnxModel> registry,
            ModelSource source,
            String device,
            int gpuIndex,
            int threads) {
        ModelKey key = new ModelKey(source.modelIdentity(), device, threads);
        return registry.acquire(
                key,
                () ->
                        LargeStackThreads.call(
                                INIT_THREAD,
                                () -> load(source, device, gpuIndex, threads),
                                OnnxModels::closeQuietly));
    }

    private static OnnxModel load(ModelSource source, String device, int gpuIndex, int threads) {
        long started = System.nanoTime();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (gpuIndex >= 0) {
                try {
                    options.addCUDA(gpuIndex);
                } catch (OrtException e) {
                    throw cudaUnusable(device, e);
                }
            }
            OnnxModel model;
            try {
                model = OnnxModel.load(source, options, device);
            } catch (OrtException e) {
                if (gpuIndex >= 0) {
                    throw cudaUnusable(device, e);
                }
                throw new IllegalStateException(
                        "ONNX Runtime could not load the model " + source + ": " + e.getMessage(), e);
            }
            LOG.info(
                    "Created ONNX Runtime session for {} on {} with {} intra-op threads in {} ms",
                    source,
                    device,
                    threads,
                    (System.nanoTime() - started) / 1_000_000);
            return model;
        } catch (OrtException e) {
            throw new IllegalStateException(
                    "ONNX Runtime could not configure a session for " + source + ": " + e.getMessage(),
                    e);
        } catch (IOException e) {
            throw new IllegalStateException("Could not read the model " + source + ": " + e.getMessage(), e);
        }
    }

    private static void requireCudaProvider(Device device) {
        Set<OrtProvider> providers = availableProviders();
        if (!providers.contains(OrtProvider.CUDA)) {
            throw new IllegalStateException(
                    "Embedding device "
                            + device
                            + " was requested, but the ONNX Runtime on the class path has no CUDA"
                            + " execution provider (available: "
                            + providers
                            + "). Build with the Maven profile -Pgpu (com.microsoft.onnxruntime:"
                            + "onnxruntime_gpu) and install the CUDA and cuDNN libraries it"
                            + " requires on the library path, or set the device to auto or cpu.");
        }
    }

    private static IllegalStateException cudaUnusable(String device, OrtException cause) {
        return new IllegalStateException(
                "Embedding device "
                        + device
                        + " was requested, but ONNX Runtime could not use CUDA: "
                        + cause.getMessage()
                        + ". Check that the GPU exists (nvidia-smi), that the build uses the Maven"
                        + " profile -Pgpu, and that the CUDA and cuDNN libraries onnxruntime_gpu"
                        + " requires are on the library path (LD_LIBRARY_PATH); or set the device"
                        + " to auto or cpu.",
                cause);
    }

    private static void closeQuietly(OnnxModel model) {
        try {
            model.close();
        } catch (OrtException e) {
            LOG.warn("Could not close the abandoned session {}", model, e);
        }
    }
}
