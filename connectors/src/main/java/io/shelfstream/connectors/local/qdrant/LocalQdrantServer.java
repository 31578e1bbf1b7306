package io.shelfstream.connectors.local.qdrant;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;

/**
 * An in-memory server that speaks Qdrant's gRPC API, for tests and the local demo; never for production.
 *
 * <p>It answers the calls this project makes the way Qdrant 1.19 does: the same status codes and message
 * shapes (for example NOT_FOUND "Not found: Collection `x` doesn't exist!" and INVALID_ARGUMENT
 * "Wrong input: Vector dimension error: expected dim: 384, got 3"), point ids limited to unsigned integers
 * and UUIDs, Cosine vectors normalised on insert, exact nearest-neighbour search, Qdrant's filter
 * semantics, scroll paging by id and alias resolution wherever a collection name is accepted. Requests it
 * cannot answer exactly fail with UNIMPLEMENTED naming what is unsupported; they never return
 * approximate results. The contract test {@code QdrantContractITCase} runs the same cases against a real
 * Qdrant when {@code QDRANT_URL} is set.
 *
 * <p>Guarantees: thread-safe; every update is applied before its reply (also with {@code wait=false},
 * which only changes the reported status to Acknowledged); state lives in memory and is lost on
 * {@link #close()}. The server listens on the loopback interface only and ignores API keys.
 *
 * <p>For reliability tests it can fail calls with UNAVAILABLE or another status (before they run, or after
 * they ran, as a lost reply looks) and add latency. Methods are named by their full gRPC name, e.g.
 * {@code PointsGrpc.getUpsertMethod().getFullMethodName()} ({@code "qdrant.Points/Upsert"}); no names
 * means every method.
 *
 * <pre>{@code
 * try (LocalQdrantServer qdrant = LocalQdrantServer.start();
 *      QdrantClient client = new QdrantClient(
 *          QdrantGrpcClient.newBuilder(qdrant.host(), qdrant.port(), false).build())) {
 *     client.createCollectionAsync("books",
 *         VectorParams.newBuilder().setSize(384).setDistance(Distance.Cosine).build()).get();
 *     qdrant.failNextCalls(2, PointsGrpc.getUpsertMethod().getFullMethodName());
 *     // the next two upserts fail with UNAVAILABLE, later ones succeed
 * }
 * }</pre>
 */
public final class LocalQdrantServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalQdrantServer.class);

    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);

    private final Server server;
    private final FaultInjector faults;
    private final String host;
    private final int port;

    private LocalQdrantServer(Server server, FaultInjector faults, String host) {
        this.server = server;
        this.faults = faults;
        this.host = host;
        this.port = server.getPort();
    }

    /** Starts a server with no collections on an ephemeral loopback port. */
    public static LocalQdrantServer start() {
        return start(0);
    }

    /**
     * Starts a server with no collections on the given loopback port ({@code 0} picks a free one).
     *
     * @throws UncheckedIOException if the port cannot be bound
     */
    public static LocalQdrantServer start(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
        }
        QdrantStore store = new QdrantStore();
        FaultInjector faults = new FaultInjector();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(loopback, port))
                // Qdrant accepts requests of any size.
                .maxInboundMessageSize(Integer.MAX_VALUE)
                .addService(ServerInterceptors.intercept(new QdrantService(), faults))
                .addService(ServerInterceptors.intercept(new QdrantService.Health(), faults))
                .addService(ServerInterceptors.intercept(new CollectionsService(store), faults))
                .addService(ServerInterceptors.intercept(new PointsService(store), faults))
                .build();
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the local Qdrant-compatible server on "
                    + loopback.getHostAddress() + ":" + port + " (is the port in use?)", e);
        }
        LocalQdrantServer local = new LocalQdrantServer(server, faults, loopback.getHostAddress());
        LOG.info("Local Qdrant-compatible gRPC server listening on {}:{}", local.host(), local.port());
        return local;
    }

    /** The address to connect to: the loopback address, e.g. {@code 127.0.0.1}. */
    public String host() {
        return host;
    }

    /** The bound gRPC port. */
    public int port() {
        return port;
    }

    /** The server as a URL in the form {@code QDRANT_URL} takes, e.g. {@code http://127.0.0.1:41234}. */
    public String url() {
        return "http://" + host + ":" + port;
    }

    /**
     * Fails the next {@code calls} matching calls with UNAVAILABLE before they are processed.
     * Replaces any earlier count-based fault.
     */
    public void failNextCalls(int calls, String... fullMethodNames) {
        requireNonNegative(calls);
        faults.failNextCalls(calls, false, Set.of(fullMethodNames));
    }

    /**
     * Fails the next {@code calls} matching calls with {@code code} (e.g. RESOURCE_EXHAUSTED, as Qdrant answers
     * when it sheds load) before they are processed. Replaces any earlier count-based fault.
     */
    public void failNextCalls(int calls, Status.Code code, String... fullMethodNames) {
        requireNonNegative(calls);
        if (code == Status.Code.OK) {
            throw new IllegalArgumentException("an injected failure needs a status code other than OK");
        }
        faults.failNextCalls(calls, false, code.toStatus().withDescription(code + " (fault injected by "
                + "LocalQdrantServer)"), Set.of(fullMethodNames));
    }

    /**
     * Processes the next {@code calls} matching calls but replies UNAVAILABLE instead of their result, as a
     * reply lost after the server applied the request. Replaces any earlier count-based fault.
     */
    public void failNextCallsAfterApplying(int calls, String... fullMethodNames) {
        requireNonNegative(calls);
        faults.failNextCalls(calls, true, Set.of(fullMethodNames));
    }

    /** Fails every matching call with UNAVAILABLE, before processing it, for the given time from now. */
    public void failFor(Duration duration, String... fullMethodNames) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("duration must not be negative, got " + duration);
        }
        faults.failFor(duration.toNanos(), Set.of(fullMethodNames));
    }

    /** Delays every call by {@code latency} before it is processed; {@link Duration#ZERO} turns it off. */
    public void setLatency(Duration latency) {
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative, got " + latency);
        }
        faults.setLatency(latency.toNanos());
    }

    /** Removes every injected fault and the latency. */
    public void clearFaults() {
        faults.clear();
    }

    /** How many calls have been failed on purpose since the server started. */
    public long injectedFailures() {
        return faults.injectedFailures();
    }

    /** How many calls of one gRPC method (e.g. {@code "qdrant.Points/Upsert"}) arrived, failed ones included. */
    public long calls(String fullMethodName) {
        return faults.calls(fullMethodName);
    }

    /** Stops accepting calls, waits briefly for running ones and drops all data. */
    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        LOG.info("Local Qdrant-compatible gRPC server on {}:{} stopped", host, port);
    }

    private static void requireNonNegative(int calls) {
        if (calls < 0) {
            throw new IllegalArgumentException("calls must not be negative, got " + calls);
        }
    }

    /**
     * Runs a server until the process is stopped, for the local demo: {@code LocalQdrantServer [port]}
     * (default 6334, Qdrant's gRPC port).
     */
    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 6334;
        LocalQdrantServer server = start(port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "local-qdrant-shutdown"));
        stopped.await();
    }
}
