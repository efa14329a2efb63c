package org.pohmelfs.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pohmelfs.deploy.RenderedChart.container;
import static org.pohmelfs.deploy.RenderedChart.env;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/pohmelfs k8s-secrets} (run as a real process, no cluster): the Secrets it prints
 * carry exactly the bytes of the {@code certs} files and the users file, under the names and keys
 * the chart's defaults mount and point its properties at, and never the CA's private key.
 */
class K8sSecretsTest {
    private static final Path SCRIPT = Path.of("..", "bin", "pohmelfs").toAbsolutePath().normalize();
    private static final Pattern DOCUMENT = Pattern.compile("(?m)^---\\s*$");

    @TempDir
    Path dir;

    @BeforeEach
    void certsAsBinPohmelfsCertsWritesThem() throws IOException {
        for (String name : List.of("ca", "node1", "node2", "gw1")) {
            Files.writeString(dir.resolve(name + ".pem"), "-----BEGIN CERTIFICATE-----\n" + name + "\n-----END CERTIFICATE-----\n");
            Files.writeString(dir.resolve(name + "-key.pem"), "-----BEGIN PRIVATE KEY-----\n" + name + "\n-----END PRIVATE KEY-----\n");
        }
        Files.writeString(dir.resolve("users.json"), "{\"users\":[{\"name\":\"alice\",\"password\":\"{argon2}$argon2id$...\"}],\"tokens\":[]}\n");
    }

    @Test
    void theSecretsHoldTheFilesWhereTheChartReadsThem() throws Exception {
        Map<String, Secret> secrets = run("--dir", dir.toString(), "--users", dir.resolve("users.json").toString(),
                "--namespace", RenderedChart.NAMESPACE);
        assertThat(secrets).containsOnlyKeys("pohmelfs-node-tls", "pohmelfs-gateway-tls", "pohmelfs-users");
        secrets.values().forEach(s -> assertThat(s.getMetadata().getNamespace()).isEqualTo(RenderedChart.NAMESPACE));

        Secret node = secrets.get("pohmelfs-node-tls");
        assertThat(node.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(decoded(node)).containsOnly(Map.entry("tls.crt", read("node1.pem")),
                Map.entry("tls.key", read("node1-key.pem")), Map.entry("ca.crt", read("ca.pem")));
        assertThat(decoded(secrets.get("pohmelfs-gateway-tls"))).containsOnly(Map.entry("tls.crt", read("gw1.pem")),
                Map.entry("tls.key", read("gw1-key.pem")), Map.entry("ca.crt", read("ca.pem")));
        assertThat(secrets.get("pohmelfs-users").getType()).isEqualTo("Opaque");
        assertThat(decoded(secrets.get("pohmelfs-users"))).containsOnly(Map.entry("users.json", read("users.json")));
        assertThat(decoded(node).values()).noneMatch(v -> v.equals(read("ca-key.pem")));

        // The chart with its defaults (plus the users Secret every install names) reads these.
        PodTemplateSpec nodes = RenderedChart.render(Map.of()).nodes().getSpec().getTemplate();
        PodTemplateSpec gateways = RenderedChart.render(Map.of()).gateways().getSpec().getTemplate();
        assertReads(nodes, "tls", secrets, List.of("POHMELFS_NODE_TLS_CERTIFICATE", "POHMELFS_NODE_TLS_PRIVATEKEY",
                "POHMELFS_NODE_TLS_TRUSTEDCA"));
        assertReads(gateways, "tls", secrets, List.of("POHMELFS_GATEWAY_TLS_CERTIFICATE", "POHMELFS_GATEWAY_TLS_PRIVATEKEY",
                "POHMELFS_GATEWAY_TLS_TRUSTEDCA"));
        assertReads(gateways, "users", secrets, List.of("POHMELFS_GATEWAY_AUTH_USERSFILE"));
    }

    @Test
    void otherMembersAndSecretNamesAndNoUsersFile() throws Exception {
        Map<String, Secret> secrets = run("--dir", dir.toString(), "--node", "node2", "--node-secret", "n", "--gateway-secret", "g");
        assertThat(secrets).containsOnlyKeys("n", "g");
        assertThat(secrets.get("n").getMetadata().getNamespace()).isNull();
        assertThat(decoded(secrets.get("n"))).containsEntry("tls.crt", read("node2.pem"));
    }

    @Test
    void aMissingFileIsNamed() throws Exception {
        Files.delete(dir.resolve("gw1-key.pem"));
        Process p = new ProcessBuilder("bash", SCRIPT.toString(), "k8s-secrets", "--dir", dir.toString()).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isNotZero();
        assertThat(err).contains(dir.resolve("gw1-key.pem").toString() + " is missing");
    }

    private static void assertReads(PodTemplateSpec pod, String volumeName, Map<String, Secret> secrets, List<String> variables) {
        Volume volume = pod.getSpec().getVolumes().stream().filter(v -> v.getName().equals(volumeName)).findFirst().orElseThrow();
        Secret secret = secrets.get(volume.getSecret().getSecretName());
        assertThat(secret).as("printed Secret %s", volume.getSecret().getSecretName()).isNotNull();
        Container c = container(pod);
        VolumeMount mount = c.getVolumeMounts().stream().filter(m -> m.getName().equals(volumeName)).findFirst().orElseThrow();
        for (String variable : variables) {
            String path = env(c, variable).orElseThrow();
            assertThat(path).startsWith(mount.getMountPath() + "/");
            assertThat(secret.getData()).as(variable).containsKey(path.substring(mount.getMountPath().length() + 1));
        }
    }

    private Map<String, Secret> run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString(), "k8s-secrets"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(err).isZero();
        KubernetesSerialization yaml = new KubernetesSerialization();
        Map<String, Secret> secrets = new LinkedHashMap<>();
        for (String doc : DOCUMENT.split(out)) {
            if (!doc.isBlank()) {
                HasMetadata o = yaml.unmarshal(doc, HasMetadata.class);
                secrets.put(o.getMetadata().getName(), (Secret) o);
            }
        }
        return secrets;
    }

    private static Map<String, String> decoded(Secret s) {
        Map<String, String> d = new LinkedHashMap<>();
        s.getData().forEach((k, v) -> d.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        return d;
    }

    private String read(String file) {
        try {
            return Files.readString(dir.resolve(file));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
