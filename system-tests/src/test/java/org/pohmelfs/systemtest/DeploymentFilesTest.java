package org.pohmelfs.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * The deployment files agree with each other, without Docker (surefire): the Dockerfiles have
 * the form the offline build relies on, every node and gateway of docker-compose.yml is
 * scraped by Prometheus, and the host override touches only services the compose file has.
 */
class DeploymentFilesTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @ParameterizedTest
    @ValueSource(strings = {"storage-node/Dockerfile", "gateway/Dockerfile"})
    void dockerfilesTakeTheirBaseAsAnArgumentAndRunAsANonRootUserWithAHealthcheck(String file) throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve(file)).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        // No "# syntax=" line and nothing before the ARG: either would reach for a registry.
        assertThat(Files.readString(ROOT.resolve(file))).doesNotContain("syntax=");
        assertThat(lines.subList(0, 2)).containsExactly("ARG BASE=eclipse-temurin:25-jre", "FROM ${BASE}");
        assertThat(lines).filteredOn(l -> l.startsWith("FROM ")).hasSize(1);
        assertThat(lines).anyMatch(l -> l.equals("USER pohmelfs"));
        assertThat(lines).anyMatch(l -> l.equals("VOLUME /data"));
        assertThat(lines).anyMatch(l -> l.startsWith("HEALTHCHECK ") && l.contains("healthcheck"));
        assertThat(lines).noneMatch(l -> l.startsWith("ADD ") && l.contains("://"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusScrapesEveryNodeAndGatewayOfTheComposeFile() throws IOException {
        Map<String, Object> compose = yaml("docker-compose.yml");
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        Map<String, Object> prometheus = yaml("docker/prometheus/prometheus.yml");
        List<String> targets = new ArrayList<>();
        for (Map<String, Object> job : (List<Map<String, Object>>) prometheus.get("scrape_configs")) {
            assertThat(job.get("metrics_path")).isEqualTo("/actuator/prometheus");
            for (Map<String, Object> sc : (List<Map<String, Object>>) job.get("static_configs")) {
                targets.addAll((List<String>) sc.get("targets"));
            }
        }
        List<String> expected = new ArrayList<>();
        services.forEach((name, service) -> {
            String image = String.valueOf(service.get("image"));
            if (name.equals("map-init")) {
                return;
            }
            if (image.contains("storage-node")) {
                expected.add(name + ":9070");
            } else if (image.contains("gateway")) {
                expected.add(name + ":8080");
            }
        });
        assertThat(expected).hasSize(5);
        assertThat(targets).containsExactlyInAnyOrderElementsOf(expected);
        assertThat((List<String>) services.get("prometheus").get("volumes"))
                .contains("./docker/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theHostOverridePutsEveryStartedServiceOnTheHostNetworkAndPublishesNothing() throws IOException {
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) yaml("docker-compose.yml").get("services");
        Map<String, Map<String, Object>> host = (Map<String, Map<String, Object>>) yaml("docker-compose.host.yml").get("services");
        assertThat(host.keySet()).containsExactlyInAnyOrderElementsOf(services.keySet());
        host.forEach((name, service) -> assertThat(service.get("network_mode")).as(name).isEqualTo("host"));
        // Host networking refuses published ports, and compose cannot remove them in an override.
        services.forEach((name, service) -> assertThat(service).as(name).doesNotContainKey("ports"));
    }

    /**
     * The HTTPS overlay changes only gateways: HTTPS on SERVER_PORT from two mounted PEM files, the
     * plain port (the one published before, which Prometheus scrapes) kept for redirects and actuator,
     * and the healthcheck asks that plain port.
     */
    @Test
    @SuppressWarnings("unchecked")
    void theHttpsOverlayMovesGatewaysToHttpsAndKeepsThePlainPortForHealthAndScrapes() throws IOException {
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) yaml("docker-compose.yml").get("services");
        Map<String, Map<String, Object>> https = (Map<String, Map<String, Object>>) yaml("docker-compose.https.yml").get("services");
        assertThat(https.keySet()).isNotEmpty().allSatisfy(name ->
                assertThat((String) services.get(name).get("image")).as(name).contains("gateway"));
        https.forEach((name, service) -> {
            Map<String, Object> env = (Map<String, Object>) service.get("environment");
            assertThat(String.valueOf(env.get("POHMELFS_GATEWAY_HTTPS_PLAINPORT"))).as(name).isEqualTo("8080");
            String volume = ((List<String>) service.get("volumes")).getFirst(); // SOURCE:TARGET:ro
            assertThat(volume).as(name).endsWith(":ro");
            String mount = volume.substring(volume.lastIndexOf(':', volume.length() - 4) + 1, volume.length() - 3);
            assertThat((String) env.get("POHMELFS_GATEWAY_HTTPS_CERTIFICATE")).as(name).isEqualTo(mount + "/" + name + ".pem");
            assertThat((String) env.get("POHMELFS_GATEWAY_HTTPS_PRIVATEKEY")).as(name).isEqualTo(mount + "/" + name + "-key.pem");
            String published = ((List<String>) service.get("ports")).getFirst();
            assertThat(published).as(name).endsWith(":" + env.get("SERVER_PORT"))
                    .startsWith(String.valueOf(env.get("POHMELFS_GATEWAY_HTTPS_REDIRECTPORT")) + ":");
        });
        assertThat(Files.readString(ROOT.resolve("docker/healthcheck"))).contains("POHMELFS_GATEWAY_HTTPS_PLAINPORT");
    }

    private static Map<String, Object> yaml(String file) throws IOException {
        return new Yaml().load(Files.readString(ROOT.resolve(file)));
    }
}
