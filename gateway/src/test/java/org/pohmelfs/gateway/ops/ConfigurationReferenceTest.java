package org.pohmelfs.gateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code docs/configuration.md} is what the configuration metadata of the node and the gateway
 * generates: a property added, renamed or given another default or Javadoc fails this test until
 * the document is regenerated ({@code POHMELFS_REGENERATE_DOCS=1}, see the document's head).
 */
class ConfigurationReferenceTest {
    static final Path DOC = Path.of("..", "docs", "configuration.md");

    static final List<ConfigurationReference.Section> SECTIONS = List.of(
            new ConfigurationReference.Section("Storage node (`pohmelfs.node.*`)",
                    "The storage node: `java -jar pohmelfs-storage-node-*-exec.jar`, `bin/pohmelfs node`, "
                            + "`deploy/systemd/pohmelfs-node.service`.", "pohmelfs.node."),
            new ConfigurationReference.Section("Gateway (`pohmelfs.gateway.*`)",
                    "The gateway: `java -jar pohmelfs-gateway-*-exec.jar`, `bin/pohmelfs gateway`, "
                            + "`deploy/systemd/pohmelfs-gateway.service`.", "pohmelfs.gateway."));

    @Test
    void theCheckedInReferenceIsWhatTheMetadataGenerates() throws IOException {
        List<ConfigurationReference.Property> properties = ConfigurationReference.properties(metadata());
        // both applications' metadata are on this class path (the node is a test dependency)
        assertThat(properties).extracting(ConfigurationReference.Property::name)
                .contains("pohmelfs.node.zookeeper.connect", "pohmelfs.node.tls.private-key",
                        "pohmelfs.gateway.cache.max-bytes", "pohmelfs.gateway.replication.node-timeout");
        assertThat(properties).allSatisfy(p -> assertThat(p.description()).as(p.name()).isNotBlank());
        String generated = ConfigurationReference.markdown(SECTIONS, properties);
        if ("1".equals(System.getenv("POHMELFS_REGENERATE_DOCS"))) {
            Files.writeString(DOC, generated);
        }
        assertThat(Files.readString(DOC)).as("docs/configuration.md is stale; regenerate it (see its head)")
                .isEqualTo(generated);
    }

    @Test
    void propertiesMapToTheEnvironmentVariablesSpringBinds() {
        assertThat(new ConfigurationReference.Property("pohmelfs.node.zookeeper.session-timeout", "", "", "").environment())
                .isEqualTo("POHMELFS_NODE_ZOOKEEPER_SESSIONTIMEOUT");
        assertThat(ConfigurationReference.shortType("java.util.List<org.pohmelfs.protocol.ChecksumAlgorithm>"))
                .isEqualTo("List<ChecksumAlgorithm>");
        assertThat(ConfigurationReference.shortType("java.util.List<org.pohmelfs.gateway.config.GatewayProperties$User>"))
                .isEqualTo("List<GatewayProperties.User>");
        assertThat(ConfigurationReference.clean("ZooKeeper connect string, {@code host:port,...}; unset: none"))
                .isEqualTo("ZooKeeper connect string, `host:port,...`; unset: none");
    }

    private static List<JsonNode> metadata() throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        for (URL url : Collections.list(ConfigurationReferenceTest.class.getClassLoader()
                .getResources("META-INF/spring-configuration-metadata.json"))) {
            try (InputStream in = url.openStream()) {
                docs.add(JsonMapper.builder().build().readTree(in));
            }
        }
        return docs;
    }
}
