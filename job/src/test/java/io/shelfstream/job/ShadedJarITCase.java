package io.shelfstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks the jar that {@code flink run} takes (built in the package phase, before integration tests): the job,
 * its connectors, the model and the natives are in; Flink itself and the local test services are out; gRPC's
 * service files are merged, not overwritten.
 */
class ShadedJarITCase {

    private static final Path JAR = Path.of("target", "shelfstream-job.jar");
    private static JarFile jar;

    @BeforeAll
    static void openJar() throws IOException {
        assertThat(JAR).as("run the package phase first").exists();
        jar = new JarFile(JAR.toFile());
    }

    @Test
    void manifestNamesTheJobClass() throws IOException {
        assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
                .isEqualTo(ShelfstreamJob.class.getName());
    }

    @Test
    void containsJobConnectorsModelAndNatives() {
        assertThat(jar.getEntry("io/shelfstream/job/ShelfstreamJob.class")).isNotNull();
        assertThat(jar.getEntry("org/apache/flink/connector/kafka/source/KafkaSource.class")).isNotNull();
        // flink-connector-base is not on a session cluster's class path
        assertThat(jar.getEntry("org/apache/flink/connector/base/DeliveryGuarantee.class")).isNotNull();
        assertThat(jar.getEntry("io/qdrant/client/QdrantClient.class")).isNotNull();
        assertThat(jar.getEntry("all-minilm-l6-v2.onnx")).isNotNull();
        assertThat(jar.getEntry("all-minilm-l6-v2-tokenizer.json")).isNotNull();
        assertThat(jar.getEntry("ai/onnxruntime/native/linux-x64/libonnxruntime.so")).isNotNull();
        assertThat(jar.getEntry("native/lib/linux-x86_64/cpu/libtokenizers.so")).isNotNull();
    }

    @Test
    void leavesOutFlinkRuntimeLoggingAndLocalServices() {
        assertThat(jar.getEntry("org/apache/flink/runtime/jobgraph/JobGraph.class")).isNull();
        assertThat(jar.getEntry("org/apache/flink/streaming/api/environment/StreamExecutionEnvironment.class")).isNull();
        assertThat(jar.getEntry("org/apache/logging/log4j/Logger.class")).isNull();
        assertThat(jar.getEntry("org/slf4j/Logger.class")).isNull();
        assertThat(jar.getEntry("kafka/testkit/KafkaClusterTestKit.class")).isNull();
        assertThat(jar.getEntry("io/zonky/test/db/postgres/embedded/EmbeddedPostgres.class")).isNull();
    }

    @Test
    void grpcServiceFilesAreMerged() throws IOException {
        String resolvers = read("META-INF/services/io.grpc.NameResolverProvider");
        // one entry from grpc-core, one from grpc-netty-shaded: overwriting would keep only one of them
        assertThat(resolvers).contains("io.grpc.internal.DnsNameResolverProvider")
                .contains("io.grpc.netty.shaded.io.grpc.netty.UdsNameResolverProvider");
        assertThat(read("META-INF/services/io.grpc.ManagedChannelProvider"))
                .contains("io.grpc.netty.shaded.io.grpc.netty.NettyChannelProvider");
        assertThat(read("META-INF/services/io.grpc.LoadBalancerProvider"))
                .contains("PickFirstLoadBalancerProvider");
    }

    private static String read(String name) throws IOException {
        ZipEntry e = jar.getEntry(name);
        assertThat(e).as(name).isNotNull();
        try (InputStream in = jar.getInputStream(e)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
