package dev.trellis.cdk.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;

class ImagesTest {

    @TempDir
    static Path temp;

    static Path repository;
    static Path assembly;
    static Template template;
    static BoundImage registryProxy;

    @BeforeAll
    static void synthesizeOneApp() throws IOException {
        repository = temp.resolve("repo");
        write(repository.resolve("proxy-image/Dockerfile"), "FROM eclipse-temurin:21-jre\n");
        write(repository.resolve("controller/Dockerfile"), "FROM eclipse-temurin:21-jre\n");
        write(repository.resolve("proxy-image/target/trellis-proxy.jar"), "jar");
        write(repository.resolve("proxy-image/node_modules/left-behind/package.json"), "{}");
        Path standalone = temp.resolve("standalone");
        write(standalone.resolve("Dockerfile"), "FROM scratch\n");

        assembly = temp.resolve("cdk.out");
        App app = new App(AppProps.builder().outdir(assembly.toString()).build());
        Stack stack = new Stack(app, "Images");
        FargateTaskDefinition task = FargateTaskDefinition.Builder.create(stack, "Task").build();
        registryProxy = ProxyImage.fromRegistry("public.ecr.aws/trellis/proxy:0.1.0").bind(stack, "RegistryProxy");
        task.addContainer("registry", ContainerDefinitionOptions.builder().image(registryProxy.containerImage()).build());
        task.addContainer("repository", ContainerDefinitionOptions.builder()
                .image(ProxyImage.fromRepository(repository).bind(stack, "RepositoryProxy").containerImage()).build());
        task.addContainer("standalone", ContainerDefinitionOptions.builder()
                .image(ControllerImage.fromAsset(standalone.toString()).bind(stack, "StandaloneController").containerImage()).build());
        template = Template.fromStack(stack);
    }

    static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    @Test
    @DisplayName("GIVEN ProxyImage.fromRegistry WHEN bound THEN ECS pulls that URI and manifests name the same URI")
    void registry() {
        template.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of("ContainerDefinitions", Match.arrayWith(List.of(
                Match.objectLike(Map.of("Name", "registry", "Image", "public.ecr.aws/trellis/proxy:0.1.0"))))));
        assertThat(registryProxy.imageUri()).isEqualTo("public.ecr.aws/trellis/proxy:0.1.0");
    }

    @Test
    @DisplayName("GIVEN fromRepository and fromAsset WHEN synthesized THEN the images are CDK assets pushed to the bootstrap ECR repository")
    void assets() {
        for (String container : List.of("repository", "standalone")) {
            template.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of("ContainerDefinitions", Match.arrayWith(List.of(
                    Match.objectLike(Map.of("Name", container,
                            "Image", Map.of("Fn::Sub", Match.stringLikeRegexp(".*/cdk-hnb659fds-container-assets-.*"))))))));
        }
    }

    @Test
    @DisplayName("GIVEN fromRepository WHEN the asset is staged THEN its context is proxy-image/, with the jar its Dockerfile copies")
    void repositoryContext() throws IOException {
        Path staged;
        try (Stream<Path> assets = Files.list(assembly)) {
            staged = assets.filter(p -> Files.isRegularFile(p.resolve("target/trellis-proxy.jar"))).findFirst().orElseThrow();
        }
        assertThat(staged.resolve("Dockerfile")).hasContent("FROM eclipse-temurin:21-jre");
        assertThat(staged.resolve("node_modules")).doesNotExist();
        assertThat(staged.resolve("controller")).doesNotExist();
    }

    @Test
    @DisplayName("GIVEN a blank, null or spaced registry URI WHEN named THEN it fails showing the value received")
    void invalidUri() {
        assertThatThrownBy(() -> ProxyImage.fromRegistry(""))
                .hasMessage("ProxyImage.fromRegistry: \"\" (expected: an image URI such as public.ecr.aws/trellis/proxy:0.1.0)");
        assertThatThrownBy(() -> ControllerImage.fromRegistry(null))
                .hasMessage("ControllerImage.fromRegistry: null (expected: an image URI such as public.ecr.aws/trellis/proxy:0.1.0)");
        assertThatThrownBy(() -> ProxyImage.fromRegistry("trellis proxy"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ProxyImage.fromRegistry: \"trellis proxy\"");
    }

    @Test
    @DisplayName("GIVEN a directory without the Dockerfile WHEN named as an asset THEN it fails naming the directory and the file expected")
    void missingDockerfile() {
        assertThatThrownBy(() -> ProxyImage.fromAsset(temp.resolve("empty").toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ProxyImage.fromAsset: " + temp.resolve("empty") + " (expected: a directory holding Dockerfile)");
        assertThatThrownBy(() -> ControllerImage.fromRepository(temp.resolve("standalone")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ControllerImage.fromRepository: " + temp.resolve("standalone/controller")
                        + " (expected: a directory holding Dockerfile)");
    }
}
