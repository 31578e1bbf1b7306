package io.shelfstream.job.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import io.shelfstream.job.cli.E2eBenchCommand;

/**
 * Static checks of the deployment files: {@code flink-conf/config.yaml} as Flink itself reads it, and
 * {@code docker-compose.yml} (services, ports, mounted files, image versions in line with the build).
 */
class DeploymentFilesTest {

    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();

    @Test
    void flinkConfigIsReadByFlinkWithTheIntendedSettings() {
        Configuration conf = GlobalConfiguration.loadConfiguration(REPOSITORY.resolve("flink-conf").toString());

        assertThat(conf.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).isEqualTo(Duration.ofSeconds(10));
        assertThat(conf.get(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE)).isEqualTo(CheckpointingMode.EXACTLY_ONCE);
        assertThat(conf.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
        assertThat(conf.get(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS)).isEqualTo(3);
        assertThat(conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).startsWith("file:///");
        assertThat(conf.get(CheckpointingOptions.SAVEPOINT_DIRECTORY)).startsWith("file:///");
        assertThat(conf.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(conf.toMap()).containsEntry("state.backend.rocksdb.use-bloom-filter", "true");
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("exponential-delay");
        assertThat(conf.toMap()).containsKey("metrics.reporter.prom.factory.class");
        // the JVM openings Flink needs on Java 17, also used by the launcher and the session-cluster test
        assertThat(conf.toMap().get("env.java.opts.all")).contains("--add-opens=java.base/java.util=ALL-UNNAMED");
    }

    @Test
    void benchE2eRunsWithTheStateSettingsOfADeployedTaskManager() {
        Configuration deployed = GlobalConfiguration.loadConfiguration(REPOSITORY.resolve("flink-conf").toString());
        Configuration bench = E2eBenchCommand.deployedStateSettings();

        assertThat(TaskExecutorProcessUtils.processSpecFromConfig(deployed).getManagedMemorySize().getMebiBytes())
                .as("managed memory, MB").isEqualTo(bench.get(TaskManagerOptions.MANAGED_MEMORY_SIZE).getMebiBytes());
        assertThat(bench.toMap().get("state.backend.rocksdb.use-bloom-filter"))
                .isEqualTo(deployed.toMap().get("state.backend.rocksdb.use-bloom-filter"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void dockerComposeHasEveryServiceAndMountsOnlyFilesThatExist() throws IOException {
        Map<String, Object> compose = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(REPOSITORY.resolve("docker-compose.yml")));
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");

        assertThat(services).containsKeys("kafka", "kafka-topics", "postgres", "qdrant", "jobmanager", "taskmanager");
        assertThat((List<String>) services.get("qdrant").get("ports")).anyMatch(p -> p.endsWith(":6334"));
        assertThat((List<String>) services.get("jobmanager").get("ports")).anyMatch(p -> p.endsWith(":8081"));
        assertThat((List<String>) services.get("postgres").get("ports")).anyMatch(p -> p.endsWith(":5432"));

        for (Map.Entry<String, Map<String, Object>> service : services.entrySet()) {
            List<String> volumes = (List<String>) service.getValue().getOrDefault("volumes", List.of());
            for (String volume : volumes) {
                String source = volume.split(":")[0];
                if (source.startsWith("./")) {
                    Path local = REPOSITORY.resolve(source.substring(2));
                    boolean builtByMaven = source.startsWith("./job/target");
                    assertThat(builtByMaven || Files.exists(local))
                            .as("%s mounts %s, which does not exist", service.getKey(), source).isTrue();
                }
            }
        }
        assertThat((List<String>) services.get("taskmanager").get("volumes"))
                .contains("./flink-conf/config.yaml:/opt/flink/conf/config.yaml:ro");
        assertThat((List<String>) services.get("postgres").get("command")).contains("max_prepared_transactions=64");
    }

    @Test
    @SuppressWarnings("unchecked")
    void dockerComposeImagesMatchTheVersionsTheBuildUses() throws IOException {
        Map<String, Object> compose = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(REPOSITORY.resolve("docker-compose.yml")));
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");

        String flink = EnvironmentInformation.getVersion();
        assertThat(services.get("jobmanager").get("image")).isEqualTo("flink:" + flink + "-java17");
        assertThat(services.get("taskmanager").get("image")).isEqualTo("flink:" + flink + "-java17");
        assertThat(services.get("kafka").get("image")).isEqualTo("apache/kafka:" + AppInfoParser.getVersion());
        // the Qdrant server the client was built against (its jar's manifest says which)
        assertThat(services.get("qdrant").get("image")).isEqualTo("qdrant/qdrant:" + qdrantServerOfClient());
    }

    private static String qdrantServerOfClient() throws IOException {
        java.net.URL jar = io.qdrant.client.QdrantClient.class.getProtectionDomain().getCodeSource().getLocation();
        try (java.util.jar.JarFile f = new java.util.jar.JarFile(new java.io.File(jar.getPath()))) {
            String version = f.getManifest().getMainAttributes().getValue("X-Qdrant-Version");
            assertThat(version).as("X-Qdrant-Version in the manifest of %s", jar).isNotBlank();
            return version;
        }
    }
}
