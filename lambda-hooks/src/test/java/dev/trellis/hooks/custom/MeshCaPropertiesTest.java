package dev.trellis.hooks.custom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trellis.hooks.EventJson;
import dev.trellis.hooks.Fixtures;
import dev.trellis.hooks.MalformedEventException;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MeshCaPropertiesTest {

    @Test
    void givenOnlyTheMeshName_whenRead_thenTheTrustDomainAndLifetimeDefaultAsTheSpecDoes() {
        MeshCaProperties properties = MeshCaProperties.of(request("{\"MeshName\": \"shop\"}"), false);

        assertThat(properties).isEqualTo(new MeshCaProperties("shop", "shop.trellis.local", Optional.empty(), Duration.ofDays(365)));
    }

    @Test
    void givenNoSecretName_whenNamed_thenTheNameIsStablePerRequestAndDiffersBetweenRequests() {
        MeshCaProperties properties = MeshCaProperties.of(request("{\"MeshName\": \"shop\"}"), false);

        assertThat(properties.secretNameFor("request-1")).matches("trellis/shop/mesh-ca-[0-9a-f]{8}")
                .isEqualTo(properties.secretNameFor("request-1"))
                .isNotEqualTo(properties.secretNameFor("request-2"));
    }

    @Test
    void givenASecretName_whenNamed_thenItIsUsedAsIs() {
        assertThat(MeshCaProperties.of(request("{\"MeshName\": \"shop\", \"SecretName\": \"prod/ca\"}"), false)
                .secretNameFor("request-1")).isEqualTo("prod/ca");
    }

    @Test
    void givenChangedProperties_whenCompared_thenOnlyMeshTrustDomainAndSecretNameReplace() {
        MeshCaProperties old = new MeshCaProperties("shop", "shop.example.com", Optional.empty(), Duration.ofDays(365));

        assertThat(new MeshCaProperties("shop", "shop.example.com", Optional.empty(), Duration.ofDays(30)).replaces(old)).isFalse();
        assertThat(new MeshCaProperties("shop2", "shop.example.com", Optional.empty(), Duration.ofDays(365)).replaces(old)).isTrue();
        assertThat(new MeshCaProperties("shop", "shop.example.org", Optional.empty(), Duration.ofDays(365)).replaces(old)).isTrue();
        assertThat(new MeshCaProperties("shop", "shop.example.com", Optional.of("ca"), Duration.ofDays(365)).replaces(old)).isTrue();
    }

    @Test
    void givenBadOldProperties_whenRead_thenTheErrorSaysTheyAreTheOldOnes() {
        ObjectNode update = EventJson.readObject(Fixtures.text("custom/update.json"));
        ((ObjectNode) update.path("OldResourceProperties")).put("TrustDomain", "shop example");

        assertThatThrownBy(() -> MeshCaProperties.of(CustomResourceRequest.fromJson(update), true))
                .isInstanceOf(MalformedEventException.class)
                .hasMessage("OldResourceProperties.TrustDomain: \"shop example\" (expected: a DNS-like name such as example.org)");
    }

    @Test
    void givenASecretNameWithForbiddenCharacters_whenRead_thenRefused() {
        assertThatThrownBy(() -> MeshCaProperties.of(request("{\"MeshName\": \"shop\", \"SecretName\": \"my ca!\"}"), false))
                .isInstanceOf(MalformedEventException.class)
                .hasMessage("ResourceProperties.SecretName: \"my ca!\" (expected: a Secrets Manager name of letters, digits and /_+=.@-)");
    }

    private static CustomResourceRequest request(String properties) {
        ObjectNode create = EventJson.readObject(Fixtures.text("custom/create.json"));
        create.set("ResourceProperties", EventJson.readObject(properties));
        return CustomResourceRequest.fromJson(create);
    }
}
