package io.shelfstream.embedding;

import java.io.Serializable;
import java.util.Locale;
import java.util.Objects;

/**
 * Where the model runs: {@code auto}, {@code cpu} or {@code cuda[:N]}.
 *
 * <ul>
 *   <li>{@link #AUTO}: CUDA GPU 0 when the build and the host support it, otherwise the CPU
 *       (with a warning).
 *   <li>{@link #CPU}: always the CPU.
 *   <li>{@link #cuda(int)}: the given GPU; creating an embedder fails fast when CUDA is not
 *       available (the CUDA build is the Maven profile {@code -Pgpu}).
 * </ul>
 *
 * <p>{@link #toString()} gives the canonical text form that {@link #parse(String)} accepts.
 */
public final class Device implements Serializable {

    private static final long serialVersionUID = 1L;

    /** What kind of device a {@link Device} names. */
    public enum Kind {
        /** CUDA when available, otherwise CPU. */
        AUTO,
        /** The CPU execution provider. */
        CPU,
        /** A CUDA GPU. */
        CUDA
    }

    /** CUDA GPU 0 when available, otherwise the CPU. */
    public static final Device AUTO = new Device(Kind.AUTO, -1);

    /** The CPU. */
    public static final Device CPU = new Device(Kind.CPU, -1);

    private static final String CUDA_PREFIX = "cuda:";

    private final Kind kind;
    private final int gpuIndex;

    private Device(Kind kind, int gpuIndex) {
        this.kind = kind;
        this.gpuIndex = gpuIndex;
    }

    /**
     * Returns the CUDA GPU with the given index.
     *
     * @param gpuIndex the CUDA device index, 0 for the first GPU
     * @return the device
     * @throws IllegalArgumentException if the index is negative
     */
    public static Device cuda(int gpuIndex) {
        if (gpuIndex < 0) {
            throw new IllegalArgumentException(
                    "CUDA device index must be >= 0 (0 is the first GPU), was " + gpuIndex);
        }
        return new Device(Kind.CUDA, gpuIndex);
    }

    /**
     * Parses {@code auto}, {@code cpu}, {@code cuda} (= {@code cuda:0}) or {@code cuda:N};
     * case and surrounding blanks are ignored.
     *
     * @param text the device text
     * @return the device
     * @throws IllegalArgumentException if the text is none of these
     */
    public static Device parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException(
                    "device must not be null: use auto, cpu, cuda or cuda:N (N = GPU index)");
        }
        String value = text.trim().toLowerCase(Locale.ROOT);
        switch (value) {
            case "auto":
                return AUTO;
            case "cpu":
                return CPU;
            case "cuda":
                return cuda(0);
            default:
                break;
        }
        if (value.startsWith(CUDA_PREFIX)) {
            String index = value.substring(CUDA_PREFIX.length());
            if (!index.isEmpty() && index.chars().allMatch(c -> c >= '0' && c <= '9')) {
                try {
                    return cuda(Integer.parseInt(index));
                } catch (NumberFormatException e) {
                    // falls through to the general message: the index overflows an int
                }
            }
        }
        throw new IllegalArgumentException(
                "Unknown device '"
                        + text
                        + "': use auto, cpu, cuda or cuda:N where N is the GPU index, e.g. cuda:0");
    }

    /**
     * Returns the kind of device.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * Returns the CUDA device index.
     *
     * @return the index for {@link Kind#CUDA}, -1 otherwise
     */
    public int gpuIndex() {
        return gpuIndex;
    }

    /**
     * Tells whether this is {@link #AUTO}.
     *
     * @return true for {@code auto}
     */
    public boolean isAuto() {
        return kind == Kind.AUTO;
    }

    /**
     * Tells whether this names a CUDA GPU.
     *
     * @return true for {@code cuda:N}
     */
    public boolean isCuda() {
        return kind == Kind.CUDA;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Device)) {
            return false;
        }
        Device other = (Device) o;
        return kind == other.kind && gpuIndex == other.gpuIndex;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, gpuIndex);
    }

    /** Returns {@code auto}, {@code cpu} or {@code cuda:N}. */
    @Override
    public String toString() {
        switch (kind) {
            case AUTO:
                return "auto";
            case CPU:
                return "cpu";
            default:
                return CUDA_PREFIX + gpuIndex;
        }
    }

    private Object readResolve() {
        if (kind == Kind.AUTO) {
            return AUTO;
        }
        return kind == Kind.CPU ? CPU : this;
    }
}
