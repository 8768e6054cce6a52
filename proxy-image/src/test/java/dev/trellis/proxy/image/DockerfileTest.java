package dev.trellis.proxy.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.naming.MeshPorts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** What the image promises, read from proxy-image/Dockerfile (no Docker engine here). */
class DockerfileTest {

    private static final String IMAGE_JAR = "/opt/trellis/trellis-proxy.jar";
    private static final String IMAGE_ARCHIVE = "/opt/trellis/trellis-proxy.jsa";
    private static final String TRAINING = "dev.trellis.proxy.startup.ClassDataSharingTraining";
    /** Flags about the archive (which, whether required, its log) rather than the JVM the proxy runs in. */
    private static final List<String> ARCHIVE_FLAGS = List.of("-XX:SharedArchiveFile=", "-XX:ArchiveClassesAtExit=", "-Xshare:",
            "-Xlog:");

    private final Dockerfile dockerfile = Dockerfile.read();

    @Test
    void givenTheImage_whenItRuns_thenItRunsAsTheMeshProxyUserNotRoot() {
        assertThat(dockerfile.last("USER")).isEqualTo(MeshPorts.PROXY_UID + ":" + MeshPorts.PROXY_UID);
        assertThat(dockerfile.all("RUN")).anySatisfy(run -> assertThat(run).contains("--uid " + MeshPorts.PROXY_UID));
    }

    @Test
    void givenTheImage_whenInspected_thenItExposesInboundOutboundAndAdmin() {
        assertThat(Arrays.asList(dockerfile.last("EXPOSE").split("\\s+"))).containsExactlyInAnyOrder(
                String.valueOf(MeshPorts.INBOUND), String.valueOf(MeshPorts.OUTBOUND), String.valueOf(MeshPorts.ADMIN));
    }

    @Test
    void givenTheImage_whenHealthChecked_thenTheCheckAsksTheAdminPortForReady() {
        assertThat(dockerfile.last("HEALTHCHECK"))
                .contains("127.0.0.1/" + MeshPorts.ADMIN)
                .contains("GET /ready")
                .contains("' 200 '");
    }

    @Test
    void givenTheEntrypoint_whenRead_thenItIsTheJvmInExecFormOnTheShadedJar() {
        List<String> command = dockerfile.commandLine();

        assertThat(command.get(0)).isEqualTo("java");
        assertThat(command).contains("-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError")
                .containsSubsequence("-jar", "/opt/trellis/trellis-proxy.jar")
                .anyMatch(flag -> flag.startsWith("-Xmx"));
        assertThat(dockerfile.last("FROM")).startsWith("eclipse-temurin:17-jre");
    }

    @Test
    void givenTheEntrypoint_whenRead_thenNettyLeakDetectionIsOffBeforeTheJar() {
        List<String> command = dockerfile.commandLine();

        // Leaks are hunted by the tests (PARANOID); in production the sampled stack traces only cost CPU.
        assertThat(command).containsSubsequence("-Dio.netty.leakDetection.level=disabled", "-jar");
    }

    @Test
    void givenTheEntrypoint_whenRead_thenItMapsTheClassDataSharingArchiveBesideTheJar() {
        assertThat(dockerfile.commandLine()).containsSubsequence(
                "-XX:SharedArchiveFile=" + IMAGE_ARCHIVE, "-jar", IMAGE_JAR);
    }

    @Test
    void givenTheImageBuild_whenTheArchiveIsMade_thenTheTrainingRunsWithTheEntrypointsJvmFlagsOnItsJar() {
        List<String> training = dockerfile.runWith(TRAINING);
        List<String> entrypoint = dockerfile.entrypoint();

        assertThat(training.get(0)).isEqualTo(entrypoint.get(0));
        assertThat(training).contains("-XX:ArchiveClassesAtExit=" + IMAGE_ARCHIVE)
                .containsSubsequence("-cp", IMAGE_JAR, TRAINING);
        // The same flags load the same classes, and the archive keeps only what the training loaded.
        assertThat(jvmFlags(training)).isEqualTo(jvmFlags(entrypoint));
    }

    @Test
    void givenTheMavenBuild_whenItMakesTheArchive_thenItRunsTheImagesTrainingWithTargetForOptTrellis() throws Exception {
        List<String> maven = mavenTraining();

        assertThat(maven).isEqualTo(dockerfile.runWith(TRAINING));
    }

    @Test
    void givenAShellFormEntrypoint_whenRead_thenTheErrorSaysWhyExecFormIsNeeded() {
        Dockerfile shellForm = Dockerfile.parse("FROM x\nENTRYPOINT java -jar app.jar\n");

        assertThatThrownBy(shellForm::entrypoint).hasMessage("ENTRYPOINT: java -jar app.jar (expected: exec form, "
                + "a JSON array, so that the JVM is PID 1 and receives SIGTERM)");
    }

    @Test
    void givenContinuationsAndComments_whenParsed_thenInstructionsAreJoinedAsDockerDoes() {
        Dockerfile parsed = Dockerfile.parse("# comment\nRUN a \\\n  && b\n# between\nUSER 1:1\n");

        assertThat(parsed.instructions()).containsExactly(
                new Dockerfile.Instruction("RUN", "a && b"), new Dockerfile.Instruction("USER", "1:1"));
    }

    /** The JVM's own flags: after {@code java}, before {@code -jar} or {@code -cp}, without the archive's. */
    private static List<String> jvmFlags(List<String> command) {
        List<String> flags = new ArrayList<>();
        for (String argument : command.subList(1, command.size())) {
            if (argument.equals("-jar") || argument.equals("-cp")) {
                return flags;
            }
            if (ARCHIVE_FLAGS.stream().noneMatch(argument::startsWith)) {
                flags.add(argument);
            }
        }
        throw new AssertionError("command: " + command + " (expected: -jar or -cp after the JVM flags)");
    }

    /** proxy-image/pom.xml's class-data-sharing-archive execution, with the image's paths for the build's. */
    private static List<String> mavenTraining() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
        NodeList executions = pom.getElementsByTagName("execution");
        for (int i = 0; i < executions.getLength(); i++) {
            Element execution = (Element) executions.item(i);
            NodeList ids = execution.getElementsByTagName("id");
            if (ids.getLength() > 0 && ids.item(0).getTextContent().equals("class-data-sharing-archive")) {
                List<String> command = new ArrayList<>();
                command.add(execution.getElementsByTagName("executable").item(0).getTextContent()
                        .replace("${java.home}/bin/java", "java"));
                NodeList arguments = execution.getElementsByTagName("argument");
                for (int a = 0; a < arguments.getLength(); a++) {
                    command.add(arguments.item(a).getTextContent().replace("${project.build.directory}/", "/opt/trellis/"));
                }
                return command;
            }
        }
        throw new AssertionError("pom.xml: no execution class-data-sharing-archive (expected: the archive's training run)");
    }
}
