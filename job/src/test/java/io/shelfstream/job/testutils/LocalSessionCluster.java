package io.shelfstream.job.testutils;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real standalone Flink session cluster as separate local processes: a JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and a TaskManager ({@code TaskManagerRunner}) on the class path of
 * Flink's Maven Central artifacts (written by flink-conf/pom.xml, since flink-dist is not published for 2.x),
 * driven with Flink's own CLI front end as {@code flink run} would.
 *
 * <p>The JVMs get Flink's module openings from flink-conf/config.yaml and the TaskManager its memory settings from
 * {@code BashJavaUtils}, as Flink's start scripts do.
 */
public final class LocalSessionCluster implements AutoCloseable {

    private static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");
    private static final Pattern SAVEPOINT = Pattern.compile("Savepoint completed\\. Path: (\\S+)");

    private final Path home;
    private final Path confDir;
    private final String classPath;
    private final List<String> jvmOpens;
    private final int restPort;
    private final List<Process> processes = new ArrayList<>();

    private LocalSessionCluster(Path home, String classPath, List<String> jvmOpens, int restPort) {
        this.home = home;
        this.confDir = home.resolve("conf");
        this.classPath = classPath;
        this.jvmOpens = jvmOpens;
        this.restPort = restPort;
    }

    /**
     * Starts a JobManager and one TaskManager with {@code slots} slots and waits until the TaskManager has
     * registered.
     *
     * @param repositoryRoot the shelfstream checkout (to find flink-conf/)
     */
    public static LocalSessionCluster start(Path repositoryRoot, int slots) throws IOException, InterruptedException {
        Path classPathFile = repositoryRoot.resolve("flink-conf/target/flink-dist.classpath");
        if (!Files.exists(classPathFile)) {
            throw new IllegalStateException(classPathFile + " is missing: build the flink-conf module first "
                    + "(./mvnw -B verify builds it before job/)");
        }
        String classPath = Files.readString(classPathFile).trim();
        List<String> opens = javaOpens(repositoryRoot.resolve("flink-conf/config.yaml"));
        Path home = Files.createTempDirectory("shelfstream-session-");
        int rest = freePort();
        LocalSessionCluster cluster = new LocalSessionCluster(home, classPath, opens, rest);
        cluster.writeConfig(slots, freePort());
        cluster.launch("jobmanager", List.of("-Xmx768m"),
                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                List.of("--configDir", cluster.confDir.toString()));
        List<String> tmParams = cluster.taskManagerResourceParams();
        cluster.launch("taskmanager", Arrays.asList(tmParams.get(0).trim().split("\\s+")),
                "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                concat(List.of("--configDir", cluster.confDir.toString()),
                        Arrays.asList(tmParams.get(1).trim().split("\\s+"))));
        cluster.awaitTaskManagers(1, Duration.ofSeconds(90));
        return cluster;
    }

    private void writeConfig(int slots, int rpcPort) throws IOException {
        Files.createDirectories(confDir);
        Path state = home.resolve("state");
        String yaml = String.join("\n",
                "jobmanager:",
                "  rpc: {address: localhost, port: " + rpcPort + "}",
                "  bind-host: localhost",
                "  memory: {process: {size: 1024m}}",
                "taskmanager:",
                "  bind-host: localhost",
                "  host: localhost",
                "  numberOfTaskSlots: " + slots,
                "  memory: {process: {size: 3072m}}",
                "rest: {address: localhost, bind-address: localhost, port: " + restPort + "}",
                "state: {backend: {type: rocksdb}}",
                "execution:",
                "  checkpointing:",
                "    incremental: true",
                "    dir: " + state.resolve("checkpoints").toUri(),
                "    savepoint-dir: " + state.resolve("savepoints").toUri(),
                "");
        Files.writeString(confDir.resolve("config.yaml"), yaml);
        Files.writeString(confDir.resolve("log4j.properties"), String.join("\n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = File",
                "appender.file.type = File",
                "appender.file.name = File",
                "appender.file.fileName = ${sys:log.file}",
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %t %c{1} - %m%n",
                ""));
        Files.copy(confDir.resolve("log4j.properties"), confDir.resolve("log4j-cli.properties"));
    }

    private List<String> taskManagerResourceParams() throws IOException, InterruptedException {
        Result r = java(List.of(), "org.apache.flink.runtime.util.bash.BashJavaUtils",
                List.of("GET_TM_RESOURCE_PARAMS", "--configDir", confDir.toString()), Duration.ofSeconds(60));
        List<String> lines = r.output.lines()
                .filter(l -> l.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:"))
                .map(l -> l.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()))
                .toList();
        if (lines.size() < 2) {
            throw new IllegalStateException("BashJavaUtils gave no TaskManager parameters:\n" + r.output);
        }
        return lines;
    }

    private void launch(String name, List<String> jvmArgs, String mainClass, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.addAll(jvmOpens);
        cmd.addAll(jvmArgs);
        cmd.add("-Dlog.file=" + home.resolve(name + ".log"));
        cmd.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j.properties"));
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(mainClass);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(home.resolve(name + ".out").toFile());
        processes.add(pb.start());
    }

    /** Runs {@code flink <args>} (the CLI front end) and returns its output; fails on a non-zero exit. */
    public String flink(String... args) throws IOException, InterruptedException {
        Result r = java(List.of(), "org.apache.flink.client.cli.CliFrontend", List.of(args), Duration.ofMinutes(3));
        if (r.exitCode != 0) {
            throw new IllegalStateException("flink " + String.join(" ", args) + " exited " + r.exitCode + ":\n"
                    + r.output + "\n--- jobmanager log tail ---\n" + tail("jobmanager.log")
                    + "\n--- taskmanager log tail ---\n" + tail("taskmanager.log"));
        }
        return r.output;
    }

    /** {@code flink run -d [-s savepoint] jar args...}; returns the job id. */
    public String submit(Path jar, String savepoint, List<String> jobArgs) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("run", "-d"));
        if (savepoint != null) {
            args.add("-s");
            args.add(savepoint);
        }
        args.add(jar.toAbsolutePath().toString());
        args.addAll(jobArgs);
        return jobIdIn(flink(args.toArray(String[]::new)));
    }

    /** {@code flink stop --savepointPath DIR JOB}; returns the savepoint path. */
    public String stopWithSavepoint(String jobId) throws IOException, InterruptedException {
        String out = flink("stop", "--savepointPath", home.resolve("state/savepoints").toUri().toString(), jobId);
        Matcher m = SAVEPOINT.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("No savepoint path in the output of flink stop:\n" + out);
        }
        return m.group(1);
    }

    /**
     * Runs a shell script with {@code FLINK} pointing at a {@code flink} command for this cluster, as an operator
     * would run it with Flink's own {@code bin/flink}; returns its output and fails on a non-zero exit.
     */
    public String runScript(Path script, String... args) throws IOException, InterruptedException {
        Path flink = home.resolve("bin/flink");
        if (!Files.exists(flink)) {
            Files.createDirectories(flink.getParent());
            List<String> cmd = new ArrayList<>();
            cmd.add(javaBinary());
            cmd.addAll(jvmOpens);
            cmd.add("-Dlog.file=" + home.resolve("client.log"));
            cmd.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j-cli.properties"));
            cmd.add("-cp");
            cmd.add(classPath);
            cmd.add("org.apache.flink.client.cli.CliFrontend");
            Files.writeString(flink, "#!/usr/bin/env bash\nexport FLINK_CONF_DIR='" + confDir + "'\nexec "
                    + String.join(" ", cmd.stream().map(a -> "'" + a + "'").toList()) + " \"$@\"\n");
            flink.toFile().setExecutable(true);
        }
        List<String> cmd = new ArrayList<>(List.of("bash", script.toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("FLINK", flink.toString());
        Path out = Files.createTempFile(home, "script-", ".out");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(script + " did not finish within 5 minutes:\n" + Files.readString(out));
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IllegalStateException(script + " exited " + p.exitValue() + ":\n" + output);
        }
        return output;
    }

    /** The job id in the output of {@code flink run}. */
    public static String jobIdIn(String output) {
        Matcher m = JOB_ID.matcher(output);
        if (!m.find()) {
            throw new IllegalStateException("No job id in:\n" + output);
        }
        return m.group(1);
    }

    /** The state of a job from the REST API, e.g. RUNNING. */
    public String jobState(String jobId) throws IOException, InterruptedException {
        String body = get("/jobs/" + jobId);
        Matcher m = Pattern.compile("\"state\":\"([A-Z_]+)\"").matcher(body);
        return m.find() ? m.group(1) : "UNKNOWN";
    }

    /** Waits until a job reaches {@code state}. */
    public void awaitJobState(String jobId, String state, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            last = jobState(jobId);
            if (last.equals(state)) {
                return;
            }
            if (last.equals("FAILED")) {
                break;
            }
            TimeUnit.MILLISECONDS.sleep(300);
        }
        throw new IllegalStateException("Job " + jobId + " is " + last + ", expected " + state
                + "\n" + get("/jobs/" + jobId + "/exceptions") + "\n--- taskmanager log tail ---\n"
                + tail("taskmanager.log"));
    }

    /** GET on the REST API (the dashboard's back end). */
    public String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(dashboardUrl() + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    /** The web dashboard's address. */
    public String dashboardUrl() {
        return "http://localhost:" + restPort;
    }

    private void awaitTaskManagers(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (get("/overview").contains("\"taskmanagers\":" + count)) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("A cluster process exited with " + p.exitValue() + ":\n"
                            + tail("jobmanager.out") + "\n" + tail("taskmanager.out"));
                }
            }
            TimeUnit.MILLISECONDS.sleep(300);
        }
        throw new IllegalStateException("Session cluster not up within " + timeout.toSeconds() + " s:\n"
                + tail("jobmanager.log") + "\n" + tail("taskmanager.log"));
    }

    private Result java(List<String> jvmArgs, String mainClass, List<String> args, Duration timeout)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.addAll(jvmOpens);
        cmd.addAll(jvmArgs);
        cmd.add("-Dlog.file=" + home.resolve("client.log"));
        cmd.add("-Dlog4j.configurationFile=" + confDir.resolve("log4j-cli.properties"));
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(mainClass);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // without FLINK_CONF_DIR the CLI exits 31 and prints nothing
        pb.environment().put("FLINK_CONF_DIR", confDir.toString());
        Path out = Files.createTempFile(home, "cmd-", ".out");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(mainClass + " did not finish within " + timeout.toSeconds() + " s:\n"
                    + Files.readString(out));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    /** The last lines of a log file of this cluster, for failure messages. */
    public String tail(String file) {
        Path f = home.resolve(file);
        try {
            if (!Files.exists(f)) {
                return "(no " + file + ")";
            }
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }

    private static List<String> javaOpens(Path configYaml) throws IOException {
        Matcher m = Pattern.compile("(?m)^\\s*all:\\s*\"([^\"]*)\"").matcher(Files.readString(configYaml));
        if (!m.find()) {
            throw new IllegalStateException("No env.java.opts.all in " + configYaml);
        }
        return Arrays.asList(m.group(1).trim().split("\\s+"));
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> l = new ArrayList<>(a);
        l.addAll(b);
        return l;
    }

    private record Result(int exitCode, String output) {
    }
}
