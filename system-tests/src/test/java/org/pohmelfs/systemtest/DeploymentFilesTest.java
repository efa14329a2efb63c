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
     * The host override's Prometheus scrapes, by default, exactly the actuator ports that the
     * override's nodes and gateways listen on by default (the defaults of their {@code ${VAR:-port}}).
     */
    @Test
    @SuppressWarnings("unchecked")
    void theHostPrometheusConfigurationScrapesTheHostOverridesDefaultPorts() throws IOException {
        String hostFile = Files.readString(ROOT.resolve("docker-compose.host.yml"));
        java.util.Set<String> expected = new java.util.TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("(?:SERVER_PORT|POHMELFS_GW\\d_PORT|POHMELFS_NODE\\d_HTTP_PORT):-(\\d+)}").matcher(hostFile);
        while (m.find()) {
            expected.add("127.0.0.1:" + m.group(1));
        }
        assertThat(expected).hasSize(5);
        java.util.Set<String> scraped = new java.util.TreeSet<>();
        for (Map<String, Object> job : (List<Map<String, Object>>) yaml("docker/prometheus/prometheus.host.yml").get("scrape_configs")) {
            assertThat(job.get("metrics_path")).isEqualTo("/actuator/prometheus");
            for (Map<String, Object> sc : (List<Map<String, Object>>) job.get("static_configs")) {
                scraped.addAll((List<String>) sc.get("targets"));
            }
        }
        assertThat(scraped).isEqualTo(expected);
        Map<String, Map<String, Object>> host = (Map<String, Map<String, Object>>) yaml("docker-compose.host.yml").get("services");
        assertThat((List<String>) host.get("prometheus").get("volumes")).singleElement().asString()
                .contains("./docker/prometheus/prometheus.host.yml").endsWith(":/etc/prometheus/prometheus.yml:ro");
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

    /**
     * The secure overlay covers every node and gateway of docker-compose.yml: mutual TLS from the
     * files `bin/pohmelfs certs` writes (each container only its own key and ca.pem, never
     * ca-key.pem), and on gateways authentication from a users file in a mounted folder (a mounted
     * single file would never show the tool's rename) and an audit file of their own on a named volume
     * the image prepares. Every variable is a property of the generated reference.
     */
    @Test
    @SuppressWarnings("unchecked")
    void theSecureOverlayGivesEveryNodeAndGatewayTlsAndEveryGatewayUsersAndAnAuditFile() throws IOException {
        Map<String, Object> overlay = yaml("docker-compose.secure.yml");
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) yaml("docker-compose.yml").get("services");
        Map<String, Map<String, Object>> secure = (Map<String, Map<String, Object>>) overlay.get("services");
        List<String> nodesAndGateways = services.entrySet().stream()
                .filter(e -> !e.getKey().equals("map-init"))
                .filter(e -> String.valueOf(e.getValue().get("image")).matches(".*(storage-node|gateway).*"))
                .map(Map.Entry::getKey).toList();
        assertThat(nodesAndGateways).hasSize(5);
        assertThat(secure.keySet()).containsExactlyInAnyOrderElementsOf(nodesAndGateways);
        String reference = Files.readString(ROOT.resolve("docs/configuration.md"));
        List<String> auditFiles = new ArrayList<>();

        secure.forEach((name, service) -> {
            boolean gateway = String.valueOf(services.get(name).get("image")).contains("gateway");
            String prefix = gateway ? "POHMELFS_GATEWAY_" : "POHMELFS_NODE_";
            Map<String, Object> env = (Map<String, Object>) service.get("environment");
            env.keySet().forEach(k -> assertThat(reference).as(k).contains("`" + k + "`"));
            Map<String, String> mounts = new java.util.LinkedHashMap<>(); // target -> source
            for (String v : (List<String>) service.get("volumes")) {
                String[] parts = v.replace("${POHMELFS_CERTS:-./data/certs}", "CERTS")
                        .replace("${POHMELFS_USERS:-./data/users}", "USERS").split(":");
                mounts.put(parts[1], parts[0]);
                assertThat(parts[0]).as(name).doesNotContain("ca-key");
            }
            assertThat(String.valueOf(env.get(prefix + "TLS_REQUIRED"))).as(name).isEqualTo("true");
            assertThat(mounts.get((String) env.get(prefix + "TLS_CERTIFICATE"))).as(name).isEqualTo("CERTS/" + name + ".pem");
            assertThat(mounts.get((String) env.get(prefix + "TLS_PRIVATEKEY"))).as(name).isEqualTo("CERTS/" + name + "-key.pem");
            assertThat(mounts.get((String) env.get(prefix + "TLS_TRUSTEDCA"))).as(name).isEqualTo("CERTS/ca.pem");
            assertThat((List<String>) service.get("volumes")).as(name).filteredOn(v -> v.contains("CERTS") || v.contains("certs"))
                    .allMatch(v -> v.endsWith(":ro")).hasSize(3);
            if (!gateway) {
                return;
            }
            assertThat(String.valueOf(env.get("POHMELFS_GATEWAY_AUTH_ENABLED"))).as(name).isEqualTo("true");
            Path usersFile = Path.of((String) env.get("POHMELFS_GATEWAY_AUTH_USERSFILE"));
            assertThat(mounts.get(usersFile.getParent().toString())).as("%s mounts the users file's folder", name).isEqualTo("USERS");
            Path audit = Path.of((String) env.get("POHMELFS_GATEWAY_AUDIT_FILE"));
            String volume = mounts.get(audit.getParent().toString());
            assertThat(volume).as("%s: the audit folder is a named volume", name).isNotNull().doesNotContain("/");
            assertThat((Map<String, Object>) overlay.get("volumes")).containsKey(volume);
            auditFiles.add(audit.toString());
        });
        assertThat(auditFiles).hasSize(2).doesNotHaveDuplicates();
        // an empty named volume takes the owner of the image's folder: the image makes it for uid 10001
        String auditDir = Path.of(auditFiles.getFirst()).getParent().toString();
        assertThat(Files.readString(ROOT.resolve("gateway/Dockerfile"))).containsPattern("mkdir -p [^\\n]*" + auditDir + "[ ;&]");
        assertThat(Files.readString(ROOT.resolve("README.md"))).contains("docker-compose.secure.yml");
        assertThat(Files.readString(ROOT.resolve("docs/security.md"))).contains("docker-compose.secure.yml");
    }

    private static Map<String, Object> yaml(String file) throws IOException {
        return new Yaml().load(Files.readString(ROOT.resolve(file)));
    }
}
